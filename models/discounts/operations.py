"""Service-task operations of ``processes/discount_signoff.bpmn`` and the КП check for any process.

- ``discounts.route``: the authority table's level becomes a person (``authority.find_approver``:
  the requester's senior manager or head, the underwriters' queue; deputies for the absent);
  the route and its reason are written on the request and the approver is told, with a link
  to the task (one tap from the e-mail; the page needs a login and nothing happens on opening it);
- ``discounts.record_decision``: the approver's decision — approved (written onto the deal:
  the discount, by whom, when, valid until), rejected, counter-offered, escalated;
- ``discounts.escalate``: one level up, or straight to underwriting;
- ``discounts.record_answer``: the manager accepts or declines a counter-offer;
- ``discounts.check_offer``: «the approved discount is law» inside any process (documents
  will call it before generating a КП): within the approval it answers what is approved;
  above it the attempt is logged and a BPMN error ``discount_not_approved`` is thrown.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from engine.errors import BpmnErrorRaised, OperationError
from engine.operations import OperationContext
from engine.tables import HumanTask, TaskStatus
from models.discounts.approvals import record_violation, require_approved, valid_until
from models.discounts.authority import (
    Approver,
    explain,
    find_approver,
    money_text,
    next_level,
    route_text,
    underwriters,
)
from models.discounts.errors import DiscountNotApproved
from models.discounts.requests import LEVEL_LABELS, DiscountDecision, DiscountRequest, RequestStatus, percent
from models.discounts.service import discount_summary
from models.identity.users import User
from models.notifications.service import notify
from models.platform.registry import Registry
from models.sales.deal_editing import apply_changes


def _request(context: OperationContext, request_id: int) -> DiscountRequest:
    request = context.session.get(DiscountRequest, request_id)
    if request is None:
        raise OperationError(f"Запрос скидки №{request_id} не найден")
    return request


def _link(context: OperationContext, path: str) -> str:
    base = getattr(context.settings, "public_url", "") or ""
    return f"{base}{path}"


def _last_completed(context: OperationContext) -> HumanTask | None:
    """The user task of this instance completed last (whose form the process just received)."""
    return context.session.scalar(
        select(HumanTask)
        .where(HumanTask.instance_id == context.instance_id, HumanTask.status == TaskStatus.COMPLETED)
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
        .limit(1)
    )


def _announce(context: OperationContext, request: DiscountRequest, found: Approver, explanation: str) -> None:
    """Tell whoever must decide now (the deputy, if standing in; every underwriter for the queue)."""
    recipients = [found.assignee_id] if found.assignee_id is not None else underwriters(context.session)
    requester = request.requester.full_name if request.requester else "Менеджер"
    instead = f" Вы замещаете: {found.meant_for.full_name}." if found.standing_in and found.meant_for else ""
    body = (
        f"{requester} просит скидку {discount_summary(request)} на «{request.product}» по сделке "
        f"«{request.deal.title}» (клиент {request.client.display_name}). "
        f"Обоснование: {request.justification}\n{explanation[:1].upper() + explanation[1:]}.{instead}\n"
        f"Открыть задачу: {_link(context, f'/discounts/requests/{request.id}/task')}"
    )
    notify(
        context.session,
        recipients,
        "discount_request",
        f"Согласуйте скидку {percent(request.discount_pct)} % ({request.product}): {request.deal.title}",
        body,
        context.clock.now(),
        object_type="discount_request",
        object_id=request.id,
        instance_id=context.instance_id,
        dedupe_key=f"discount:{request.id}:{len(request.steps)}:{found.level}",
    )


def _assign(
    context: OperationContext,
    request: DiscountRequest,
    level: str,
    reason: str,
    action: str,
    actor_id: int | None,
) -> dict:
    found = find_approver(context.session, level, request.requester, context.clock.now().date())
    if found.bumped_from:
        reason = (
            f"{reason} (уровень «{LEVEL_LABELS[found.bumped_from].lower()}»: некому решить, кроме "
            f"автора запроса — решает {LEVEL_LABELS[found.level].lower()})"
        )
    request.level, request.route_reason = found.level, reason
    request.approver_id = found.assignee_id
    request.approver_for_id = found.meant_for.id if found.standing_in and found.meant_for else None
    explanation = route_text(found.level, reason)
    request.steps.append(
        DiscountDecision(
            action=action, level=found.level, actor_id=actor_id, comment=explanation, at=context.clock.now()
        )
    )
    context.session.flush()
    _announce(context, request, found, explanation)
    return {
        "level": found.level,
        "approver_id": found.meant_for.id if found.meant_for else None,
        "explanation": explanation,
    }


def route(context: OperationContext, request_id: int, level: str, rule: str, reason: str) -> dict:
    """Send the request to the level the authority table chose (``rule``: the table's rule id)."""
    request = _request(context, request_id)
    request.rule_id = rule
    text = explain(
        reason,
        discount=request.discount_pct,
        premium=request.base_premium,
        loss_ratio=request.loss_ratio if request.loss_ratio is not None else Decimal("0"),
        product=request.product,
    )
    return _assign(context, request, level, text, "routed", None)


def escalate(context: OperationContext, request_id: int, to: str = "next") -> dict:
    """Move the request one level up (``to="next"``) or to underwriting (``to="underwriting"``)."""
    request = _request(context, request_id)
    previous = request.level or ""
    task = _last_completed(context)
    decider = (
        context.session.get(User, task.completed_by_id) if task is not None and task.completed_by_id else None
    )
    who = decider.full_name if decider is not None else "согласующий"
    target = next_level(previous, to)
    reason = f"эскалация: {who} ({LEVEL_LABELS.get(previous, previous).lower()}) передал(а) решение выше"
    return _assign(context, request, target, reason, "routed", None) | {"from": previous}


def _tell_requester(context: OperationContext, request: DiscountRequest, title: str, body: str) -> None:
    notify(
        context.session,
        request.requester_id,
        "discount_decision",
        title,
        body + f"\nСделка: {_link(context, f'/deals/{request.deal_id}')}",
        context.clock.now(),
        object_type="deal",
        object_id=request.deal_id,
        instance_id=context.instance_id,
    )


def _approve(
    context: OperationContext, request: DiscountRequest, pct: Decimal, by_id: int | None, now: datetime
) -> None:
    """Write the approval onto the request and the deal: the discount, by whom, when, valid until."""
    request.status, request.open_key, request.closed_at = RequestStatus.APPROVED, None, now
    request.approved_pct, request.approved_by_id, request.approved_at = pct, by_id, now
    request.valid_until = valid_until(now.date())
    apply_changes(request.deal, {"requested_discount": pct})


def record_decision(
    context: OperationContext,
    request_id: int,
    decision: str,
    comment: str,
    counter_discount: Decimal | None = None,
) -> dict:
    """Record the approver's decision; says what the process does next (done | counter | escalate)."""
    request = _request(context, request_id)
    if request.status != RequestStatus.PENDING:
        raise OperationError(f"Запрос скидки №{request.id} уже не на согласовании")
    task = _last_completed(context)
    decider_id = task.completed_by_id if task is not None else None
    decider = context.session.get(User, decider_id) if decider_id else None
    name = decider.full_name if decider else "Согласующий"
    now = context.clock.now()
    step = DiscountDecision(
        level=request.level,
        actor_id=decider_id,
        comment=comment,
        at=now,
        task_id=task.id if task is not None else None,
    )
    if decision == "approve":
        step.action, step.discount_pct = "approved", request.discount_pct
        request.steps.append(step)
        _approve(context, request, request.discount_pct, decider_id, now)
        _tell_requester(
            context,
            request,
            f"Скидка согласована: {percent(request.discount_pct)} % — {request.product}",
            f"{name} согласовал(а) скидку {discount_summary(request)} по «"
            f"{request.product}», сделка «{request.deal.title}». Действует до "
            f"{request.valid_until:%d.%m.%Y}. Комментарий: {comment}",
        )
        return {"next": "done"}
    if decision == "reject":
        step.action = "rejected"
        request.steps.append(step)
        request.status, request.open_key, request.closed_at = RequestStatus.REJECTED, None, now
        _tell_requester(
            context,
            request,
            f"Скидка отклонена: {percent(request.discount_pct)} % — {request.product}",
            f"{name} отклонил(а) скидку {percent(request.discount_pct)} % по «{request.product}», "
            f"сделка «{request.deal.title}». Комментарий: {comment}",
        )
        return {"next": "done"}
    if decision == "counter":
        if counter_discount is None or not 0 < Decimal(counter_discount) < request.discount_pct:
            raise OperationError("Встречная скидка должна быть больше 0 и меньше запрошенной")
        pct = Decimal(counter_discount).quantize(Decimal("0.01"))
        step.action, step.discount_pct = "countered", pct
        request.steps.append(step)
        request.status, request.counter_pct, request.counter_by_id = RequestStatus.COUNTERED, pct, decider_id
        _tell_requester(
            context,
            request,
            f"Встречное предложение по скидке: {percent(pct)} % вместо {percent(request.discount_pct)} %",
            f"{name} предлагает скидку {percent(pct)} % вместо "
            f"{percent(request.discount_pct)} % по «{request.product}», сделка «{request.deal.title}». "
            f"Комментарий: {comment}\nПримите или откажитесь на карточке сделки.",
        )
        return {"next": "counter", "counter": percent(pct), "comment": comment}
    if decision in ("escalate", "to_underwriting"):
        step.action = "escalated"
        request.steps.append(step)
        return {"next": "escalate", "to": "underwriting" if decision == "to_underwriting" else "next"}
    raise OperationError(f"Неизвестное решение «{decision}»")


def record_answer(context: OperationContext, request_id: int, answer: str, comment: str = "") -> dict:
    """The manager's answer to a counter-offer: accepted (approved at the counter) or declined."""
    request = _request(context, request_id)
    if request.status != RequestStatus.COUNTERED or request.counter_pct is None:
        raise OperationError(f"По запросу скидки №{request.id} нет встречного предложения")
    task = _last_completed(context)
    now = context.clock.now()
    actor_id = task.completed_by_id if task is not None else request.requester_id
    accepted = answer == "accept"
    request.steps.append(
        DiscountDecision(
            action="accepted" if accepted else "declined",
            level=request.level,
            actor_id=actor_id,
            discount_pct=request.counter_pct,
            comment=comment or None,
            at=now,
        )
    )
    if accepted:
        _approve(context, request, request.counter_pct, request.counter_by_id, now)
    else:
        request.status, request.open_key, request.closed_at = RequestStatus.DECLINED, None, now
    requester = request.requester.full_name if request.requester else "Менеджер"
    verb = "принял(а)" if accepted else "отклонил(а)"
    notify(
        context.session,
        request.counter_by_id,
        "discount_decision",
        f"Встречное предложение {'принято' if accepted else 'отклонено'}: {percent(request.counter_pct)} % — "
        f"{request.product}",
        f"{requester} {verb} встречное предложение {percent(request.counter_pct)} % по «{request.product}», "
        f"сделка «{request.deal.title}»." + (f" Комментарий: {comment}" if comment else ""),
        now,
        object_type="deal",
        object_id=request.deal_id,
        instance_id=context.instance_id,
    )
    return {
        "accepted": accepted,
        "approved": percent(request.approved_pct) if accepted else None,
        "premium": money_text(request.resulting_premium),
    }


def check_offer(context: OperationContext, deal_id: int, product: str, discount: Decimal) -> dict:
    """Whether a КП of ``deal_id`` may carry ``discount`` % on ``product``: the approval it stays within,
    or a BPMN error ``discount_not_approved`` (the attempt is logged for the data-quality page)."""
    try:
        approval = require_approved(
            context.session, deal_id, product, Decimal(discount), context.clock.now().date(), source="process"
        )
    except DiscountNotApproved as refused:
        record_violation(context.session, refused, context.clock.now())
        raise BpmnErrorRaised(
            "discount_not_approved",
            refused.message,
            {"approved": str(refused.approval.pct) if refused.approval else None},
        ) from None
    return {
        "approved": str(approval.pct) if approval else None,
        "valid_until": approval.valid_until.isoformat() if approval and approval.valid_until else None,
    }


def register(registry: Registry) -> None:
    registry.operation("discounts.route", route)
    registry.operation("discounts.escalate", escalate)
    registry.operation("discounts.record_decision", record_decision)
    registry.operation("discounts.record_answer", record_answer)
    registry.operation("discounts.check_offer", check_offer)
