"""Service-task operations of ``processes/lead_handling.bpmn``.

Each operation is one business step on a lead: match an existing client, record the
routing decision, escalate, qualify into a deal, or reject. The rules live in
``models/sales/lead_flow.py`` and ``models/sales/routing.py``; here they are wired to the process
and to ``notify``. Reminding and escalating use the shared task alerts
(``models.tasks.alerts``), so lead notices read like every other task's; only handing the
lead to the senior manager is the lead's own rule.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.errors import OperationError
from engine.operations import OperationContext
from engine.tables import HumanTask, TaskStatus
from models.notifications.service import notify
from models.platform.registry import Registry
from models.sales.lead_flow import LeadFlowError, get_lead, match_lead, qualify_lead, reject_lead, route_lead
from models.sales.leads import LeadStatus
from models.sales.routing import RoutingError
from models.tasks.alerts import alert_once
from models.tasks.operations import task_reminder


def _lead(context: OperationContext, lead_id: int):
    try:
        return get_lead(context.session, lead_id)
    except LeadFlowError as exc:
        raise OperationError(str(exc)) from None


def find_client(context: OperationContext, lead_id: int) -> dict:
    """Link the lead to an existing client found by INN, phone or e-mail."""
    return match_lead(context.session, _lead(context, lead_id))


def assign(context: OperationContext, lead_id: int, funnel: str, team: str) -> dict:
    """Pick the manager (least load, deputies, round-robin) and tell them about the lead."""
    lead = _lead(context, lead_id)
    try:
        decision = route_lead(context.session, lead, funnel, team, context.clock.now(),
                              instance_id=context.instance_id)
    except RoutingError as exc:
        raise OperationError(str(exc)) from None
    notify(context.session, decision.manager_id, "lead_assigned", f"Новый лид: {lead.title}",
           f"Вам назначен лид «{lead.title}» ({decision.reason}). Свяжитесь с клиентом.",
           context.clock.now(), object_type="lead", object_id=lead.id, instance_id=context.instance_id)
    return {"manager_id": decision.manager_id, "senior_id": decision.senior_id,
            "load": decision.load, "reason": decision.reason}


def remind(context: OperationContext, lead_id: int) -> dict:
    """The reminder of the lead's «Связаться с клиентом» task, by the shared task reminder.

    Versions of ``lead_handling`` deployed before its timer called ``notify.task_reminder``
    still call this operation; their running instances get the same reminder.
    """
    _lead(context, lead_id)
    return task_reminder(context, "contact")


def escalate(context: OperationContext, lead_id: int, senior_id: int, task: str = "contact") -> dict:
    """Hand the overdue lead to the senior manager; the task escalation tells both of them.

    The interrupting timer has already closed the user task ``task``, so its latest row in this
    instance is the one escalated; its ``escalated_at`` marker makes the notices go out once.
    """
    lead = _lead(context, lead_id)
    lead.status = LeadStatus.ESCALATED
    lead.assigned_to_id = senior_id
    row = context.session.scalar(select(HumanTask).where(
        HumanTask.instance_id == context.instance_id, HumanTask.element_id == task)
        .order_by(HumanTask.id.desc()).limit(1))
    if row is not None:
        alert_once(context.session, row, "escalated", context.clock.now(), to=senior_id, handed_over=True)
    return {"escalated_to": senior_id}


def _completed_by(context: OperationContext) -> int | None:
    """Who submitted the outcome form of this instance (the deal's owner)."""
    return context.session.scalar(select(HumanTask.completed_by_id).where(
        HumanTask.instance_id == context.instance_id, HumanTask.status == TaskStatus.COMPLETED)
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1))


def qualify(context: OperationContext, lead_id: int, premium: str = "", product: str = "",
            client_kind: str = "", comment: str = "") -> dict:
    """Create or update the client, open the deal; notify the manager and the client's owner."""
    lead = _lead(context, lead_id)
    owner_id = _completed_by(context) or lead.assigned_to_id
    previous_owner = lead.client.owner_id if lead.client is not None else None
    try:
        deal = qualify_lead(context.session, lead, owner_id=owner_id, now=context.clock.now(),
                            premium=premium or None, product=product or None,
                            client_kind=client_kind or None, comment=comment or None)
    except LeadFlowError as exc:
        raise OperationError(str(exc)) from None
    notify(context.session, [owner_id, previous_owner or deal.client.owner_id], "deal_opened",
           f"Новая сделка: {deal.title}",
           f"Лид «{lead.title}» квалифицирован: открыта сделка «{deal.title}» в воронке "
           f"«{deal.funnel.name}», этап «{deal.stage.name}».", context.clock.now(),
           object_type="deal", object_id=deal.id, instance_id=context.instance_id)
    return {"deal_id": deal.id, "client_id": deal.client_id}


def reject(context: OperationContext, lead_id: int, reason: str) -> dict:
    """Close the lead as not relevant, with the reason the manager gave."""
    lead = _lead(context, lead_id)
    try:
        reject_lead(context.session, lead, reason, context.clock.now())
    except LeadFlowError as exc:
        raise OperationError(str(exc)) from None
    return {"rejected": True}


def register(registry: Registry) -> None:
    """The service-task operations of this module."""
    registry.operation("leads.find_client", find_client)
    registry.operation("leads.assign", assign)
    registry.operation("leads.remind", remind)
    registry.operation("leads.escalate", escalate)
    registry.operation("leads.qualify", qualify)
    registry.operation("leads.reject", reject)
