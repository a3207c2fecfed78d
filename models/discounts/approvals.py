"""«The approved discount is law»: the approved discount of a deal and product, and the check of a КП.

An approved request is the deal's approved discount for its product until ``valid_until``
(``APPROVAL_DAYS`` after the decision); a later approval replaces an earlier one. A КП
(commercial offer) may carry a discount at or below it — a re-quote within the approval
needs no new sign-off — and nothing above it: ``require_approved`` refuses with
``DiscountNotApproved`` naming the approved limit. Every path that records or sends a КП
asks it: the deal card and the deal API when a deal is moved to «КП отправлено» (or its
discount changed after the КП went out) — through the ``sales.offer_guard`` port this
package implements —, the BPMN operation ``discounts.check_offer``, and the documents
feature when it generates and sends a КП.

Refused attempts are kept in ``discount_violation`` for the data-quality page. The web
layer keeps them in a unit of work of its own after the refused request rolled back
(``keep_violation``); a process step keeps them with its own step.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models.discounts.errors import Approval, DiscountNotApproved
from models.discounts.requests import DiscountRequest, DiscountViolation, RequestStatus, percent
from models.identity.users import User
from models.sales.deals import Deal, DealStatus
from models.sales.funnels import FunnelStage, StageOutcome

APPROVAL_DAYS = 30
OFFER_STAGE = "offer_sent"  # «КП отправлено»: entering it records that a КП went out


def valid_until(decided_on: date) -> date:
    return decided_on + timedelta(days=APPROVAL_DAYS)


def approved_discount(session: Session, deal_id: int, product: str | None, today: date) -> Approval | None:
    """The discount approved for ``product`` of deal ``deal_id`` and still valid on ``today``, if any."""
    if not product:
        return None
    return approved_discounts(session, deal_id, [product], today).get(product)


def approved_discounts(session: Session, deal_id: int, products: list[str],
                       today: date) -> dict[str, Approval]:
    """The valid approvals of the deal per product, in one query (the deal card shows every product's).

    For each product the latest approval wins, as for ``approved_discount``.
    """
    wanted = [p for p in dict.fromkeys(products) if p]
    if not wanted:
        return {}
    requests = session.scalars(
        select(DiscountRequest)
        .options(joinedload(DiscountRequest.approved_by))
        .where(
            DiscountRequest.deal_id == deal_id,
            DiscountRequest.product.in_(wanted),
            DiscountRequest.status == RequestStatus.APPROVED,
            DiscountRequest.valid_until >= today,
        )
        .order_by(DiscountRequest.approved_at.desc(), DiscountRequest.id.desc())
    )
    latest: dict[str, DiscountRequest] = {}
    for request in requests:
        latest.setdefault(request.product, request)
    return {product: _approval(request) for product, request in latest.items()
            if request.approved_pct is not None}


def _approval(request: DiscountRequest) -> Approval:
    approver = request.approved_by.full_name if request.approved_by else "—"
    approved_on = (request.approved_at or request.created_at).date()
    assert request.approved_pct is not None  # only approvals with a percentage are passed
    return Approval(
        request.id, request.product, request.approved_pct, approver, approved_on, request.valid_until
    )


def _refusal(deal_id: int, product: str | None, discount: Decimal, approval: Approval | None) -> str:
    what = f"«{product}»" if product else "сделки"
    if approval is None:
        return (
            f"Скидка {percent(discount)} % по {what} не согласована: КП со скидкой нельзя отправить "
            "без согласования. Запросите согласование скидки."
        )
    until = f" до {approval.valid_until:%d.%m.%Y}" if approval.valid_until else ""
    return (
        f"Скидка {percent(discount)} % больше согласованной {percent(approval.pct)} % по {what} "
        f"(согласовал {approval.approved_by} {approval.approved_at_day:%d.%m.%Y}, действует{until}). "
        "КП можно отправить со скидкой не больше согласованной или запросить согласование новой."
    )


def require_approved(
    session: Session,
    deal_id: int,
    product: str | None,
    discount: Decimal | None,
    today: date,
    *,
    source: str = "documents",
    user_id: int | None = None,
) -> Approval | None:
    """Refuse (``DiscountNotApproved``) a КП of ``deal_id`` whose ``discount`` (per cent) for
    ``product`` is above the approved one; returns the approval it stays within (None: no discount).

    The public check for every path that generates or sends a КП. It writes nothing: the caller
    keeps the refusal with ``record_violation`` where its transaction survives the refusal.
    """
    if discount is None or discount <= 0:
        return None
    approval = approved_discount(session, deal_id, product, today)
    if approval is not None and discount <= approval.pct:
        return approval
    raise DiscountNotApproved(
        deal_id=deal_id,
        product=product,
        discount=discount,
        approval=approval,
        message=_refusal(deal_id, product, discount, approval),
        source=source,
        user_id=user_id,
    )


def record_violation(session: Session, refused: DiscountNotApproved, now: datetime) -> DiscountViolation:
    """Keep a refused attempt (for the data-quality page) in ``session``."""
    row = DiscountViolation(
        deal_id=refused.deal_id,
        product=refused.product,
        discount_pct=refused.discount,
        approved_pct=refused.approval.pct if refused.approval else None,
        source=refused.source,
        user_id=refused.user_id,
        message=refused.message,
        at=now,
    )
    session.add(row)
    session.flush()
    return row


def _records_offer(deal: Deal, stage: FunnelStage | None) -> bool:
    """Whether ``stage`` (default: the deal's own) is «КП отправлено» or an open stage after it."""
    stage = stage or deal.stage
    offer = deal.funnel.stage(OFFER_STAGE)
    if offer is None or stage is None or stage.outcome != StageOutcome.OPEN:
        return False
    return stage.position >= offer.position


def guard_offer(
    session: Session,
    actor: User,
    deal: Deal,
    *,
    target_stage: str | None,
    discount: Decimal | None,
    channel: str,
    today: date,
) -> None:
    """The ``sales.offer_guard`` port: a deal entering «КП отправлено», or changing the discount of a
    КП already sent, must stay within the approved discount of every product of the deal.

    ``target_stage`` is the stage a move goes to (None: the discount is being changed in place);
    ``discount`` the discount the КП carries. Raises ``DiscountNotApproved`` before anything changes.
    """
    if deal.status != DealStatus.OPEN:
        return
    if target_stage is not None:
        stage = deal.funnel.stage(target_stage)
        entering = stage is not None and stage.id != deal.stage_id and _records_offer(deal, stage)
        if not entering or _records_offer(deal, None):  # moving on after the КП: nothing new is sent
            return
    elif not _records_offer(deal, None):
        return
    if discount is None or discount <= 0:
        return
    source = "api" if channel == "api" else "deal_card"
    products: list[str | None] = list(deal.product_lines) or [None]
    for product in products:
        require_approved(session, deal.id, product, discount, today, source=source, user_id=actor.id)
