"""Service-task operations of ``processes/renewal.bpmn`` (and the trigger's ``contracts.queue_due``).

- ``contracts.open_renewal``: the renewal deal in the «Продление» funnel, owned by the client's
  manager (their deputy when absent), at the premium re-priced by the loss ratio; the risk assessed;
  the manager told;
- ``contracts.record_offer``: the КП went out — the deal takes the offered premium and the retention
  discount (which must be approved: the discount sign-off's «approved discount is law») and
  enters «КП на продление»;
- ``contracts.record_contact``: the talk with the decision-maker is logged as a call on the deal;
- ``contracts.check_offer_sent`` / ``contracts.escalate``: 14 days before the end without a КП the
  senior manager is told and given a task, once;
- ``contracts.record_outcome``: «Продлено» / «Не продлено» moves the deal by the funnel's rules
  (the new contract and the renewal's outcome follow from ``service.on_deal_stage_changed``).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import select

from engine.errors import OperationError
from engine.operations import OperationContext
from models.contracts.people import on_duty, senior_for
from models.contracts.pricing import reprice
from models.contracts.renewals import ContractRenewal, RenewalStatus
from models.contracts.risk import apply as assess_risk
from models.contracts.trigger import queue_due
from models.discounts.approvals import require_approved
from models.discounts.authority import money_text
from models.discounts.errors import DiscountNotApproved
from models.identity.users import User
from models.notifications.service import notify
from models.platform.registry import Registry
from models.sales.activities import log_activity
from models.sales.deals import Deal, DealError, DealStatus, move_stage, open_deal
from models.sales.funnels import LossReason, ensure_default_funnels, funnel_by_code
from models.tasks.operations import grace_of

MSK = ZoneInfo("Europe/Moscow")
ESCALATE_DAYS = 14
RENEWAL_FUNNEL = "renewal"


def _renewal(context: OperationContext, renewal_id: int) -> ContractRenewal:
    renewal = context.session.get(ContractRenewal, renewal_id)
    if renewal is None:
        raise OperationError(f"Продление №{renewal_id} не найдено")
    return renewal


def _deal(renewal: ContractRenewal) -> Deal:
    if renewal.deal is None:
        raise OperationError(f"У продления №{renewal.id} нет сделки")
    return renewal.deal


def open_renewal(context: OperationContext, renewal_id: int) -> dict:
    """Open the renewal deal and say who works it, until when, at what price."""
    session, now = context.session, context.clock.now()
    renewal = _renewal(context, renewal_id)
    contract = renewal.contract
    client = contract.client
    manager_id = on_duty(session, contract.owner_id or client.owner_id, now.date())
    manager = session.get(User, manager_id) if manager_id else None
    priced = reprice(session, contract, now.date())
    if renewal.deal is None:
        funnel = funnel_by_code(session, RENEWAL_FUNNEL)
        if funnel is None:  # a database older than the renewal funnel
            ensure_default_funnels(session)
            funnel = funnel_by_code(session, RENEWAL_FUNNEL)
        if funnel is None:
            raise OperationError("Нет воронки «Продление»")
        renewal.deal = open_deal(
            session,
            client=client,
            funnel=funnel,
            owner_id=manager_id,
            now=now,
            title=f"Продление: {client.display_name} — {contract.product}, договор № {contract.number}",
            amount=contract.insured_sum,
            premium=priced.premium,
            product_lines=[contract.product],
            expected_close_date=contract.ends_on,
        )
    renewal.offer = priced.as_dict()
    session.flush()
    escalate_at = datetime.combine(contract.ends_on - timedelta(days=ESCALATE_DAYS), time(9, 0), MSK)
    assess_risk(session, contract, now, grace=grace_of(context))
    notify(
        session,
        manager_id,
        "renewal_started",
        f"Продление: {client.display_name}, договор № {contract.number}",
        f"Договор № {contract.number} ({contract.product}) клиента {client.display_name} заканчивается "
        f"{contract.ends_on:%d.%m.%Y}. Открыта сделка продления; подготовьте КП и свяжитесь с ЛПР. "
        f"Премия по договору {money_text(contract.premium)}, к продлению {money_text(priced.premium)} "
        f"({priced.reason}).",
        now,
        object_type="deal",
        object_id=renewal.deal.id,
        instance_id=context.instance_id,
        dedupe_key=f"renewal:{renewal.id}:started",
    )
    return {
        "deal_id": renewal.deal.id,
        "manager_id": manager_id,
        "manager_name": manager.full_name if manager else "—",
        "client": client.display_name,
        "contract_number": contract.number,
        "product": contract.product,
        "ends_on_text": f"{contract.ends_on:%d.%m.%Y}",
        "premium_text": money_text(contract.premium),
        "offer_premium": str(priced.premium),
        "pricing_text": f"{money_text(priced.premium)} — {priced.reason}",
        "escalate_at": escalate_at.isoformat(),
    }


def _decimal(text: str, label: str) -> Decimal:
    try:
        return Decimal((text or "0").replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        raise OperationError(f"{label}: «{text}» — не число") from None


def offer_refusal(session, deal: Deal, discount: Decimal, today) -> str | None:
    """Why a КП with ``discount`` may not go out on ``deal`` (None when it may)."""
    if discount <= 0:
        return None
    try:
        require_approved(session, deal.id, deal.product_lines[0], discount, today, source="process")
    except DiscountNotApproved as refused:
        return refused.message
    return None


def record_offer(context: OperationContext, renewal_id: int, premium: str, discount: str = "") -> dict:
    """The КП on the renewal went out: premium and approved discount on the deal, stage «КП на продление»."""
    session, now = context.session, context.clock.now()
    renewal = _renewal(context, renewal_id)
    deal = _deal(renewal)
    pct = _decimal(discount, "Скидка")
    refusal = offer_refusal(session, deal, pct, now.date())
    if refusal:
        raise OperationError(refusal)
    deal.premium = _decimal(premium, "Премия").quantize(Decimal("0.01"))
    deal.requested_discount = pct if pct > 0 else None
    if deal.status == DealStatus.OPEN and deal.stage.code == "preparation":
        move_stage(session, deal, "offer_sent", user_id=deal.owner_id, now=now)
    renewal.offer = {
        **(renewal.offer or {}),
        "sent_at": now.isoformat(),
        "sent_premium": str(deal.premium),
        "discount": str(pct),
    }
    session.flush()
    return {"sent": True, "premium": str(deal.premium)}


def record_contact(
    context: OperationContext, renewal_id: int, decision_maker: str = "", result: str = ""
) -> dict:
    """The talk with the decision-maker, as a call on the renewal deal."""
    renewal = _renewal(context, renewal_id)
    deal = _deal(renewal)
    who = f" ({decision_maker.strip()})" if decision_maker.strip() else ""
    log_activity(
        context.session,
        kind="call",
        subject=f"Разговор с ЛПР о продлении{who}",
        happened_at=None,
        now=context.clock.now(),
        user_id=deal.owner_id,
        deal=deal,
        outcome=result,
    )
    return {"logged": True}


def offer_sent(renewal: ContractRenewal) -> bool:
    """A КП on the renewal has gone out (or the deal is already closed)."""
    deal = renewal.deal
    if deal is None:
        return False
    if deal.status != DealStatus.OPEN or (renewal.offer or {}).get("sent_at"):
        return True
    offer_stage = deal.funnel.stage("offer_sent")
    return offer_stage is not None and deal.stage.position >= offer_stage.position


def check_offer_sent(context: OperationContext, renewal_id: int) -> dict:
    renewal = _renewal(context, renewal_id)
    return {"sent": offer_sent(renewal)}


def escalate(context: OperationContext, renewal_id: int) -> dict:
    """Tell the senior manager that 14 days are left and no КП went out (once per renewal)."""
    session, now = context.session, context.clock.now()
    renewal = _renewal(context, renewal_id)
    contract = renewal.contract
    manager = renewal.deal.owner if renewal.deal is not None else contract.owner
    senior = senior_for(session, manager)
    if renewal.escalated_at is None:
        renewal.escalated_at = now
    notify(
        session,
        senior.id if senior else None,
        "renewal_escalated",
        f"Продление под угрозой: {contract.client.display_name}, договор № {contract.number}",
        f"До окончания договора № {contract.number} ({contract.product}) осталось "
        f"{(contract.ends_on - now.date()).days} дн., КП на продление не отправлено. "
        f"Менеджер: {manager.full_name if manager else '—'}.",
        now,
        object_type="deal",
        object_id=renewal.deal_id,
        instance_id=context.instance_id,
        dedupe_key=f"renewal:{renewal.id}:escalated",
    )
    session.flush()
    return {"senior_id": senior.id if senior else None}


def _loss_reason_id(context: OperationContext, name: str) -> int | None:
    return context.session.scalar(select(LossReason.id).where(LossReason.name == name))


def record_outcome(
    context: OperationContext,
    renewal_id: int,
    outcome: str,
    contract_number: str = "",
    contract_start: str = "",
    contract_end: str = "",
    contract_premium: str = "",
    loss_reason: str = "",
    loss_comment: str = "",
) -> dict:
    """Close the renewal deal: «Продлено» with the new contract's data, «Не продлено» with a reason."""
    session, now = context.session, context.clock.now()
    renewal = _renewal(context, renewal_id)
    deal = _deal(renewal)
    if deal.status != DealStatus.OPEN:
        return {"outcome": renewal.status}
    data: dict[str, object]
    if outcome == "renewed":
        data = {
            "contract_number": contract_number,
            "contract_start": contract_start,
            "contract_end": contract_end,
            "contract_premium": contract_premium,
        }
        target = "won"
    elif outcome == "not_renewed":
        data = {"loss_reason_id": _loss_reason_id(context, loss_reason), "loss_comment": loss_comment}
        target = "lost"
    else:
        raise OperationError(f"Неизвестный итог продления «{outcome}»")
    try:
        move_stage(session, deal, target, user_id=deal.owner_id, now=now, data=data)
    except DealError as refused:
        raise OperationError(str(refused)) from None
    session.flush()
    return {"outcome": renewal.status, "new_contract_id": renewal.new_contract_id}


def register(registry: Registry) -> None:
    registry.operation("contracts.queue_due", queue_due)
    registry.operation("contracts.open_renewal", open_renewal)
    registry.operation("contracts.record_offer", record_offer)
    registry.operation("contracts.record_contact", record_contact)
    registry.operation("contracts.check_offer_sent", check_offer_sent)
    registry.operation("contracts.escalate", escalate)
    registry.operation("contracts.record_outcome", record_outcome)


__all__ = ["RenewalStatus", "register"]
