"""What the discount pages, the API and other packages call: request, recall, decide, answer, check.

For other packages (documents — КП generation and sending — and renewals' retention terms):

- ``approved_discount(session, deal_id, product, today)`` → the ``Approval`` in force (per
  cent, who, when, until when) or None;
- ``require_approved(session, deal_id, product, discount, today, source=…)`` → refuses a КП
  whose discount is above the approved one with ``DiscountNotApproved`` (a re-quote at or
  below it passes and starts nothing); ``record_violation`` keeps the refusal;
- the BPMN operation ``discounts.check_offer`` does the same inside a process (a BPMN
  error ``discount_not_approved`` an error boundary can catch);
- ``request_discount`` starts a sign-off (renewals will ask for retention discounts so).

Every function takes the session, the engine where a process is involved, the acting user
and the time, loads its record with the access check (``NotFound`` 404, ``AccessDenied``
403), raises ``DiscountError`` (422) / ``DiscountConflict`` (409) before writing anything,
and only adds to the session: the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.tables import HumanTask, Incident, InstanceStatus, TaskStatus
from models.discounts.access import get_request
from models.discounts.approvals import approved_discount, record_violation, require_approved
from models.discounts.asking import MAX_TEXT, Checked, Preview, check_request, closed_deal, preview_request
from models.discounts.authority import money_text
from models.discounts.errors import Approval, DiscountConflict, DiscountError, DiscountNotApproved
from models.discounts.pricing import PROCESS
from models.discounts.requests import DiscountDecision, DiscountRequest, RequestStatus, percent
from models.identity.users import User
from models.insurance.service import loss_ratio
from models.notifications.service import notify
from models.sales.access import get_deal
from models.sales.deals import DealStatus
from models.tasks.process_tasks import Completion, complete_process_task

__all__ = [
    "Approval",
    "DiscountConflict",
    "DiscountError",
    "DiscountNotApproved",
    "Preview",
    "Requested",
    "answer_counter",
    "approved_discount",
    "decide_request",
    "open_task",
    "preview_request",
    "recall_request",
    "record_violation",
    "request_discount",
    "require_approved",
]

DECIDE_TASKS = ("decide_senior", "decide_head", "decide_underwriting")
ANSWER_TASK = "answer_counter"


@dataclass(frozen=True)
class Requested:
    """What asking did: the new request, or the approval the discount already fits in; what to tell."""

    request: DiscountRequest | None
    covered: Approval | None
    message: str


def open_request(session: Session, deal_id: int, product: str) -> DiscountRequest | None:
    return session.scalar(select(DiscountRequest).where(DiscountRequest.open_key == f"{deal_id}:{product}"))


def _started(engine: ProcessEngine, request: DiscountRequest, actor: User, checked: Checked) -> None:
    deal = request.deal
    data = {
        "request_id": request.id,
        "deal_id": deal.id,
        "requester_id": actor.id,
        "role": actor.role,
        "product": checked.product,
        "segment": deal.client.segment or "",
        "discount": checked.pct,
        "discount_text": percent(checked.pct),
        "premium": checked.price.premium,
        "loss_ratio": request.loss_ratio if request.loss_ratio is not None else Decimal("0"),
    }
    instance = engine.start(
        PROCESS,
        data,
        business_type="deal",
        business_id=deal.id,
        user_id=actor.id,
        title=f"Скидка {percent(checked.pct)} % ({checked.product}): {deal.title}",
    )
    request.instance_id = instance.id
    if instance.status == InstanceStatus.ERROR:
        incident = engine.session.scalar(
            select(Incident).where(Incident.instance_id == instance.id).order_by(Incident.id.desc()).limit(1)
        )
        reason = incident.error if incident is not None else "ошибка процесса"
        raise DiscountError({"_form": [f"Согласование не запустилось: {reason}"]})


def request_discount(
    session: Session, engine: ProcessEngine, actor: User, deal_id: int, data: Mapping[str, Any], now: datetime
) -> Requested:
    """Ask for a discount on a product of a deal the actor may edit, and start its sign-off.

    ``data``: ``product``, ``discount`` and ``discount_unit`` (pct | rub), ``justification``,
    ``competitor_index`` (one of the deal's competitor offers) or ``competitor`` ({who, price,
    conditions}), ``base_premium`` (underwriting's, where the tariff table has no rate). A
    discount within the approval in force starts nothing (``Requested.covered``).
    """
    deal = get_deal(session, actor, deal_id, "edit")
    if deal.status != DealStatus.OPEN:
        raise closed_deal(deal)
    checked = check_request(engine, actor, deal, data)
    today = now.date()
    approval = approved_discount(session, deal.id, checked.product, today)
    if approval is not None and checked.pct <= approval.pct:
        return Requested(
            None,
            approval,
            (
                f"Скидка {percent(checked.pct)} % по «{checked.product}» в пределах согласованной "
                f"{percent(approval.pct)} % (согласовал {approval.approved_by}): новое согласование не нужно"
            ),
        )
    existing = open_request(session, deal.id, checked.product)
    if existing is not None:
        raise DiscountConflict(
            f"По сделке уже есть открытый запрос скидки по «{checked.product}» "
            f"(№{existing.id}, {existing.status_label.lower()}): дождитесь решения или отзовите его"
        )
    request = DiscountRequest(
        deal=deal,
        client_id=deal.client_id,
        requester_id=actor.id,
        product=checked.product,
        segment=deal.client.segment,
        insured_sum=checked.price.insured_sum,
        base_rate=checked.price.rate,
        base_premium=checked.price.premium,
        base_source=checked.price.source,
        commission_rate=checked.price.commission,
        discount_pct=checked.pct,
        discount_amount=checked.amount,
        resulting_premium=checked.price.premium - checked.amount,
        entered_as=checked.unit,
        justification=checked.justification,
        competitor=checked.competitor,
        loss_ratio=loss_ratio(session, deal.client_id, checked.product, today),
        status=RequestStatus.PENDING,
        open_key=f"{deal.id}:{checked.product}",
        created_at=now,
    )
    request.steps.append(
        DiscountDecision(
            action="requested",
            actor_id=actor.id,
            discount_pct=checked.pct,
            comment=checked.justification,
            at=now,
        )
    )
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError:  # a colleague opened one for the same deal and product a moment ago
        raise DiscountConflict(f"По сделке уже есть открытый запрос скидки по «{checked.product}»") from None
    _started(engine, request, actor, checked)
    who = request.approver.full_name if request.approver else "очередь андеррайтинга"
    return Requested(
        request, None, f"Запрос №{request.id} отправлен: {request.route_text}. Ждёт решения: {who}."
    )


def open_task(session: Session, request: DiscountRequest, elements: tuple[str, ...]) -> HumanTask | None:
    """The request's open task among ``elements`` (its BPMN ids), if any."""
    if request.instance_id is None:
        return None
    return session.scalar(
        select(HumanTask)
        .where(
            HumanTask.instance_id == request.instance_id,
            HumanTask.element_id.in_(elements),
            HumanTask.status == TaskStatus.OPEN,
        )
        .order_by(HumanTask.id.desc())
        .limit(1)
    )


def recall_request(
    session: Session, engine: ProcessEngine, actor: User, request_id: int, reason: str, now: datetime
) -> DiscountRequest:
    """The requester (or the deal's editor) withdraws a request still open; its approver is told."""
    request = get_request(session, actor, request_id, "recall")
    if not request.is_open:
        raise DiscountConflict(
            f"Запрос №{request.id} уже не на согласовании ({request.status_label.lower()}): отозвать нельзя"
        )
    waiting = request.approver_id
    if request.instance_id is not None:
        instance = engine.instance(request.instance_id)
        if instance.status in InstanceStatus.ACTIVE:
            engine.cancel(instance.id, actor.id, reason="Запрос скидки отозван менеджером")
    comment = (reason or "").strip()[:MAX_TEXT] or None
    request.status, request.open_key, request.closed_at = RequestStatus.RECALLED, None, now
    request.steps.append(
        DiscountDecision(action="recalled", actor_id=actor.id, level=request.level, comment=comment, at=now)
    )
    session.flush()
    if waiting is not None and waiting != actor.id:
        notify(
            session,
            waiting,
            "discount_request",
            f"Запрос скидки отозван: {request.deal.title}",
            f"{actor.full_name} отозвал(а) запрос скидки {percent(request.discount_pct)} % "
            f"по «{request.product}»" + (f": {comment}" if comment else "."),
            now,
            object_type="deal",
            object_id=request.deal_id,
        )
    return request


def decide_request(
    session: Session, engine: ProcessEngine, actor: User, request_id: int, data: Mapping[str, Any]
) -> Completion:
    """Decide a pending request through its open approval task (the API's way; the task page's is the same).

    ``data``: ``decision`` (approve | counter | reject | escalate | to_underwriting), ``comment``,
    ``counter_discount``. A request already decided (or decided by someone a moment ago) is a
    ``DiscountConflict`` / engine ``ConflictError`` (409).
    """
    request = get_request(session, actor, request_id)
    task = open_task(session, request, DECIDE_TASKS) if request.status == RequestStatus.PENDING else None
    if task is None:
        raise DiscountConflict(f"Запрос №{request.id} уже не ждёт решения ({request.status_label.lower()})")
    return complete_process_task(session, engine, actor, task.id, dict(data))


def answer_counter(
    session: Session, engine: ProcessEngine, actor: User, request_id: int, answer: str, comment: str
) -> Completion:
    """The manager accepts (the counter-offer becomes the approved discount) or declines it."""
    request = get_request(session, actor, request_id, "answer")
    task = open_task(session, request, (ANSWER_TASK,)) if request.status == RequestStatus.COUNTERED else None
    if task is None:
        raise DiscountConflict(f"По запросу №{request.id} нет встречного предложения, ждущего ответа")
    return complete_process_task(
        session,
        engine,
        actor,
        task.id,
        {"answer": answer, "answer_comment": (comment or "").strip()},
        card=request.deal,
    )


def discount_summary(request: DiscountRequest) -> str:
    """«15 % (180 000 ₽): 1 200 000 ₽ → 1 020 000 ₽»."""
    return (
        f"{percent(request.discount_pct)} % ({money_text(request.discount_amount)}): "
        f"{money_text(request.base_premium)} → {money_text(request.resulting_premium)}"
    )
