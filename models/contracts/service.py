"""What the pages, the API and other packages call to change contracts.

- A won deal becomes a contract (``on_deal_stage_changed``, subscribed to
  ``deal.stage_changed``): the deal's contract number, dates and premium (asked for by the
  «Выиграна» rule), its first product line, insured sum and owner, one payment on the start.
  A renewal deal that reaches «Продлено» makes the new contract linked to the one it renews
  (``renewed_from_id``) and marks the old one renewed; «Не продлено» (which needs a loss
  reason from the list) closes the renewal with that reason.
- ``create_contract`` (API), ``record_payment`` (a payment came in).
Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.clients.access import get_client
from models.contracts.access import get_contract
from models.contracts.contracts import Contract, ContractPayment, ContractStatus, schedule
from models.contracts.imports import ContractImport, ContractImportRow, rejected_rows, run_import
from models.contracts.renewals import ContractRenewal, RenewalStatus
from models.identity.users import User
from models.insurance.policies import product_line
from models.platform.errors import NotFound
from models.platform.events import DomainEvent
from models.platform.permissions import Permission, require
from models.sales.deals import Deal, parse_date, parse_money

DEFAULT_PRODUCT = "Имущество"


class ContractError(Exception):
    """A refused change, with Russian messages per field (422)."""

    def __init__(
        self, errors: dict[str, list[str]], message: str = "Данные договора не прошли проверку"
    ) -> None:
        self.errors = errors
        self.message = message
        super().__init__(message)


def _product_of(deal: Deal) -> str:
    for line in deal.product_lines or []:
        product = product_line(str(line))
        if product:
            return product
    return DEFAULT_PRODUCT


def contract_from_deal(session: Session, deal: Deal, renewed_from: Contract | None = None) -> Contract | None:
    """The contract a won deal leaves (None when its number is already someone else's contract)."""
    existing = session.scalar(select(Contract).where(Contract.deal_id == deal.id))
    if existing is not None:
        return existing
    number = (deal.contract_number or "").strip()
    if (
        not number
        or deal.contract_start is None
        or deal.contract_end is None
        or deal.contract_premium is None
    ):
        return None
    if session.scalar(select(Contract.id).where(Contract.number == number)) is not None:
        return None
    contract = Contract(
        number=number,
        product=renewed_from.product if renewed_from is not None else _product_of(deal),
        client_id=deal.client_id,
        owner_id=deal.owner_id,
        deal_id=deal.id,
        renewed_from_id=renewed_from.id if renewed_from is not None else None,
        insurer=renewed_from.insurer if renewed_from is not None else None,
        starts_on=deal.contract_start,
        ends_on=deal.contract_end,
        premium=deal.contract_premium,
        insured_sum=deal.amount
        if deal.amount is not None
        else (renewed_from.insured_sum if renewed_from else None),
        status=ContractStatus.ACTIVE,
    )
    contract.payments = schedule(deal.contract_start, deal.contract_end, deal.contract_premium, 1)
    session.add(contract)
    session.flush()
    return contract


def on_deal_stage_changed(session: Session, event: DomainEvent) -> None:
    """A won deal becomes a contract; a closed renewal deal closes its renewal."""
    to_stage = event.payload.get("to_stage")
    if to_stage not in ("won", "lost"):
        return
    deal = session.get(Deal, event.payload["deal_id"])
    if deal is None:
        return
    renewal = session.scalar(select(ContractRenewal).where(ContractRenewal.deal_id == deal.id))
    if renewal is None:
        if to_stage == "won":
            contract_from_deal(session, deal)
        return
    if renewal.status not in RenewalStatus.OPEN:
        return
    renewal.closed_at = event.at
    if to_stage == "won":
        old = renewal.contract
        new = contract_from_deal(session, deal, renewed_from=old)
        renewal.status, renewal.new_contract = RenewalStatus.RENEWED, new
        old.status = ContractStatus.RENEWED
    else:
        renewal.status = RenewalStatus.NOT_RENEWED
        reason = deal.loss_reason.name if deal.loss_reason is not None else "—"
        renewal.reason = f"{reason}: {deal.loss_comment}" if deal.loss_comment else reason
    session.flush()


def _checked(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    number = str(data.get("number") or "").strip()
    if not number:
        errors.setdefault("number", []).append("Укажите номер договора")
    product = product_line(str(data.get("product") or ""))
    if product is None:
        errors.setdefault("product", []).append(
            "Неизвестный продукт: КАСКО, ОСАГО, ДМС, НС, Имущество, Грузы, Ответственность"
        )
    starts = parse_date(data.get("starts_on"), "starts_on", errors)
    ends = parse_date(data.get("ends_on"), "ends_on", errors)
    if starts is None and "starts_on" not in errors:
        errors["starts_on"] = ["Укажите дату начала"]
    if ends is None and "ends_on" not in errors:
        errors["ends_on"] = ["Укажите дату окончания"]
    if starts and ends and ends <= starts:
        errors.setdefault("ends_on", []).append("Дата окончания должна быть позже даты начала")
    premium = parse_money(data.get("premium"), "premium", errors)
    if premium is None and "premium" not in errors:
        errors["premium"] = ["Укажите премию"]
    insured = parse_money(data.get("insured_sum"), "insured_sum", errors)
    instalments = data.get("instalments") or 1
    if not isinstance(instalments, int) or not 1 <= instalments <= 12:
        errors.setdefault("instalments", []).append("Число платежей — от 1 до 12")
    return {
        "number": number,
        "product": product,
        "starts_on": starts,
        "ends_on": ends,
        "premium": premium,
        "insured_sum": insured,
        "instalments": instalments,
    }


def create_contract(session: Session, actor: User, data: dict[str, Any]) -> Contract:
    """A contract typed in (or sent by the API) for a client ``actor`` may edit; ``ContractError`` if bad."""
    client = get_client(session, actor, int(data["client_id"]), "edit")
    errors: dict[str, list[str]] = {}
    values = _checked(data, errors)
    if not errors and session.scalar(select(Contract.id).where(Contract.number == values["number"])):
        errors["number"] = [f"Договор № {values['number']} уже есть"]
    if errors:
        raise ContractError(errors)
    instalments = values.pop("instalments")
    contract = Contract(
        client_id=client.id,
        owner_id=client.owner_id or actor.id,
        insurer=(data.get("insurer") or None),
        **values,
    )
    contract.payments = schedule(contract.starts_on, contract.ends_on, contract.premium, instalments)
    session.add(contract)
    session.flush()
    return contract


def record_payment(
    session: Session, actor: User, contract_id: int, payment_id: int, paid_on: Any, amount: Any, today: date
) -> ContractPayment:
    """Mark a payment of a contract ``actor`` may edit as paid (``ContractError`` for bad input)."""
    contract = get_contract(session, actor, contract_id, "edit")
    payment = next((p for p in contract.payments if p.id == payment_id), None)
    if payment is None:
        raise ContractError({"payment_id": ["У договора нет такого платежа"]})
    errors: dict[str, list[str]] = {}
    day = parse_date(paid_on, "paid_on", errors) or (today if "paid_on" not in errors else None)
    paid = parse_money(amount, "amount", errors) if amount not in (None, "") else payment.amount
    if day is not None and day > today:
        errors.setdefault("paid_on", []).append("Дата оплаты не может быть в будущем")
    if errors:
        raise ContractError(errors)
    payment.paid_on, payment.paid_amount = day, paid
    session.flush()
    return payment


def mark_ended(session: Session, today: date) -> int:
    """Active contracts past their end without a successor become «Закончился» (the daily trigger)."""
    rows = session.scalars(
        select(Contract).where(Contract.status == ContractStatus.ACTIVE, Contract.ends_on < today).limit(5000)
    ).all()
    for contract in rows:
        contract.status = ContractStatus.ENDED
    session.flush()
    return len(rows)


def import_contracts(
    session: Session, user: User, data: bytes, file_name: str, *, dry_run: bool, now: datetime
) -> ContractImport:
    """Import the book of business (back office, admin); ``ImportFileError`` for an unreadable file."""
    require(user, Permission.IMPORT_CLIENTS)
    return run_import(session, data, file_name, user_id=user.id, dry_run=dry_run, now=now)


def import_rows(
    session: Session, user: User, batch_id: int
) -> tuple[ContractImport, list[ContractImportRow]]:
    """A batch of ``user``'s import with its rejected, updated and unchanged rows."""
    require(user, Permission.IMPORT_CLIENTS)
    batch = session.get(ContractImport, batch_id)
    if batch is None:
        raise NotFound("Импорт не найден")
    return batch, rejected_rows(session, batch)
