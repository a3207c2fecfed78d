"""The ``onec.exchange`` job: counterparties both ways, invoices asked for from deals, payments pulled back.

Each client, invoice and payment is its own unit of work, so a failure of one is recorded
(the integration's log, the invoice's row) and the others go on; a 1С that is down or slow
stops the run (everything waits for the next one). Payments are fetched from a few days
before the last one we have (1С may post late) and stored once by their ``Ref_Key``; each
new one publishes the domain event ``payment.received`` (contract number, amount, date,
client) — the contracts package subscribes to it to put payments onto contracts and feed
renewal risk; until then the payments are listed by contract number on the 1С page.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from integrations.onec.odata import OneC, OneCError, onec_from_settings
from integrations.onec.sync import sync_client
from integrations.onec.tables import OnecCounterparty, OnecInvoice, OnecPayment
from integrations.status import record
from models.clients.cards import Client
from models.clients.service import ClientInvalid
from models.platform.events import publish
from models.platform.jobs import JobContext, run_unit

SYSTEM = "onec"
BATCH = 100
INTERVAL = 300.0
PAYMENT_OVERLAP = timedelta(days=3)
FIRST_PAYMENTS = timedelta(days=90)


class Stop(Exception):
    """1С is down or slow: end this run."""


def _note(context: JobContext, action: str, message: str) -> None:
    run_unit(
        context.session_factory,
        lambda session: record(session, SYSTEM, False, action, message, context.clock.now()),
    )


def _unit(context: JobContext, action: str, work) -> object:
    """Run one unit; a retryable 1С failure stops the run, a permanent one is logged and skipped."""
    try:
        return run_unit(context.session_factory, work)
    except OneCError as exc:
        _note(context, action, exc.message)
        if exc.retryable:
            raise Stop from None
    except ClientInvalid as exc:
        _note(
            context,
            action,
            "Значения из 1С не подходят карточке: " + "; ".join(map(str, exc.fields.values())),
        )
    return None


def sync_counterparties(context: JobContext, onec: OneC) -> dict[str, int]:
    with context.session_factory() as session:
        ids = session.scalars(
            select(Client.id)
            .where(Client.inn.is_not(None), Client.kind != "person")
            .order_by(Client.id)
            .limit(BATCH)
        ).all()
    counts: dict[str, int] = {}
    for client_id in ids:

        def work(session: Session, client_id: int = client_id) -> str:
            client = session.get(Client, client_id)
            return sync_client(session, onec, client, context.clock.now()) if client is not None else "same"

        outcome = _unit(context, f"Синхронизация клиента №{client_id}", work)
        if outcome:
            counts[str(outcome)] = counts.get(str(outcome), 0) + 1
    return counts


def _invoice_body(invoice: OnecInvoice, counterparty: str, today: date) -> dict:
    amount = str(invoice.amount)
    return {
        "Ref_Key": invoice.ref_key,
        "Date": f"{today:%Y-%m-%d}T00:00:00",
        "Контрагент_Key": counterparty,
        "СуммаДокумента": amount,
        "Комментарий": f"CRM: сделка №{invoice.deal_id}",
        "Товары": [
            {
                "LineNumber": "1",
                "Содержание": invoice.purpose,
                "Количество": 1,
                "Цена": amount,
                "Сумма": amount,
            }
        ],
    }


def send_invoices(context: JobContext, onec: OneC) -> int:
    with context.session_factory() as session:
        ids = session.scalars(
            select(OnecInvoice.id).where(OnecInvoice.status == "queued").order_by(OnecInvoice.id).limit(BATCH)
        ).all()
    sent = 0
    for invoice_id in ids:

        def work(session: Session, invoice_id: int = invoice_id) -> bool:
            invoice = session.get(OnecInvoice, invoice_id)
            if invoice is None or invoice.status != "queued":
                return False
            link = session.get(OnecCounterparty, invoice.client_id)
            if link is None:
                sync_client(session, onec, session.get_one(Client, invoice.client_id), context.clock.now())
                session.flush()
                link = session.get(OnecCounterparty, invoice.client_id)
            if link is None:
                invoice.status, invoice.error = "failed", "Клиент не связан с контрагентом 1С (нет ИНН?)"
                return False
            # Our Ref_Key names the document: a creation that timed out but happened is found, not repeated.
            made = onec.invoice(invoice.ref_key) or onec.create_invoice(
                _invoice_body(invoice, link.ref_key, context.clock.now().date())
            )
            invoice.status, invoice.number = "created", str(made.get("Number") or "") or None
            invoice.sent_at, invoice.error = context.clock.now(), None
            return True

        sent += bool(_unit(context, f"Счёт №{invoice_id}", work))
    return sent


def _amount(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def _paid_on(value: object) -> date | None:
    try:
        return datetime.fromisoformat(str(value)[:19]).date()
    except ValueError:
        return None


def store_payment(session: Session, row: dict, now: datetime) -> OnecPayment | None:
    """Keep one payment document of 1С once, and tell the subscribers of ``payment.received``."""
    ref = str(row.get("Ref_Key") or "")
    amount, paid_on = _amount(row.get("СуммаДокумента")), _paid_on(row.get("Date"))
    if not ref or amount is None or paid_on is None:
        raise OneCError(f"Платёж 1С без Ref_Key, суммы или даты: {str(row)[:200]}", retryable=False)
    if session.scalar(select(OnecPayment.id).where(OnecPayment.ref_key == ref)) is not None:
        return None
    contract = row.get("ДоговорКонтрагента") if isinstance(row.get("ДоговорКонтрагента"), dict) else {}
    counterparty = str(row.get("Контрагент_Key") or "") or None
    link = (
        session.scalar(select(OnecCounterparty).where(OnecCounterparty.ref_key == counterparty))
        if counterparty
        else None
    )
    payment = OnecPayment(
        ref_key=ref,
        number=str(row.get("Number") or "") or None,
        paid_on=paid_on,
        amount=amount,
        contract_number=str(contract.get("Номер") or contract.get("Description") or "") or None,
        counterparty_ref=counterparty,
        client_id=link.client_id if link else None,
        purpose=str(row.get("НазначениеПлатежа") or "") or None,
        received_at=now,
    )
    session.add(payment)
    session.flush()
    publish(
        session,
        "payment.received",
        {
            "payment_id": payment.id,
            "contract_number": payment.contract_number,
            "client_id": payment.client_id,
            "amount": str(payment.amount),
            "paid_on": payment.paid_on.isoformat(),
            "number": payment.number,
        },
        now,
    )
    return payment


def pull_payments(context: JobContext, onec: OneC) -> int:
    with context.session_factory() as session:
        last = session.scalar(select(func.max(OnecPayment.paid_on)))
    now = context.clock.now()
    since = datetime.combine(last, datetime.min.time()) - PAYMENT_OVERLAP if last else now - FIRST_PAYMENTS
    try:
        rows = onec.payments_since(since)
    except OneCError as exc:
        _note(context, "Загрузка платежей", exc.message)
        raise Stop from None
    stored = 0
    for row in rows:
        stored += bool(
            _unit(
                context,
                "Платёж из 1С",
                lambda session, row=row: store_payment(session, row, context.clock.now()),
            )
        )
    return stored


def exchange(context: JobContext) -> dict[str, object]:
    """One run: counterparties, then invoices, then payments; stops early when 1С fails."""
    onec = onec_from_settings(context.settings)
    result: dict[str, object] = {}
    try:
        result["counterparties"] = sync_counterparties(context, onec)
        result["invoices"] = send_invoices(context, onec)
        result["payments"] = pull_payments(context, onec)
    except Stop:
        result["stopped"] = True
    return result


_last_run: dict[str, float] = {}


def exchange_job(context: JobContext) -> object:
    if not getattr(context.settings, "onec_url", ""):
        return None
    interval = float((context.settings.extra or {}).get("CRM_ONEC_INTERVAL", INTERVAL))
    now = time.monotonic()
    if now - _last_run.get("onec", -interval) < interval:
        return None
    _last_run["onec"] = now
    return exchange(context)
