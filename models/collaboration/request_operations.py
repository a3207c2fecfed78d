"""The BPMN operations of ``department_request.bpmn``: the deadline, escalation, the answer, closing.

Each takes the request id from the process data and changes only the request (and, for
the escalation, the task's alert marker through ``models.tasks.alerts.alert_once``, so a
breach escalates once per task however often the timer's step is retried).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.errors import OperationError
from engine.operations import OperationContext
from engine.tables import HumanTask, TaskStatus
from models.collaboration.requests import KINDS, DepartmentRequest, RequestStatus
from models.identity.users import User
from models.notifications.service import notify
from models.platform.events import publish
from models.platform.registry import Registry
from models.platform.roles import Role
from models.tasks.alerts import alert_once, escalation_target
from models.tasks.operations import open_task


def _request(context: OperationContext, request_id: int) -> DepartmentRequest:
    request = context.session.get(DepartmentRequest, request_id)
    if request is None:
        raise OperationError(f"Запрос №{request_id} не найден")
    return request


def request_deadline(context: OperationContext, request_id: int, sla_hours: int) -> dict:
    """Open a round of the request: due ``sla_hours`` from now (the SLA of its kind, from the DMN table)."""
    if sla_hours <= 0:
        raise OperationError("SLA запроса должен быть больше нуля часов")
    request = _request(context, request_id)
    now = context.clock.now()
    request.sla_hours = sla_hours
    request.due_at = now + timedelta(hours=sla_hours)
    request.status = RequestStatus.OPEN
    request.rounds = (request.rounds or 0) + 1
    return {"due_at": request.due_at.isoformat(), "due_after": f"PT{sla_hours * 3600}S"}


def _escalation_to(context: OperationContext, request: DepartmentRequest, row: HumanTask) -> int | None:
    """The answerer's manager; for a queue task the head of the answering department, else the head."""
    session = context.session
    target = escalation_target(session, row.assignee_id, KINDS[request.kind].department
                               if request.kind in KINDS else None)
    if target is None:
        target = session.scalar(select(User.id).where(User.role == Role.HEAD, User.is_active.is_(True))
                                .order_by(User.id).limit(1))
    return target


def escalate_request(context: OperationContext, request_id: int, task: str) -> dict:
    """The SLA of the open answer task ``task`` is breached: escalate once and tell the asker."""
    request = _request(context, request_id)
    row = open_task(context, task)
    if row is None:
        return {"sent": False}
    now = context.clock.now()
    if request.breached_at is None:
        request.breached_at = now
    sent = alert_once(context.session, row, "escalated", now, to=_escalation_to(context, request, row))
    notify(context.session, request.requester_id, "department_request",
           f"Срок ответа по запросу №{request.id} нарушен",
           f"«{request.subject}»: отдел «{request.team}» не ответил в срок; руководителю сообщено.", now,
           object_type="department_request", object_id=request.id, instance_id=context.instance_id,
           dedupe_key=f"department_request:{request.id}:breach:{row.id}")
    return {"sent": sent}


def deliver_answer(context: OperationContext, request_id: int, answer: str) -> dict:
    """Record the department's answer and put it in the asker's inbox (the review task and a notice)."""
    request = _request(context, request_id)
    session = context.session
    now = context.clock.now()
    done = session.scalar(select(HumanTask).where(HumanTask.instance_id == context.instance_id,
                                                  HumanTask.status == TaskStatus.COMPLETED)
                          .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc()).limit(1))
    request.answer = answer
    request.answered_at = now
    request.answered_by_id = done.completed_by_id if done is not None else None
    request.status = RequestStatus.ANSWERED
    who = session.get(User, request.answered_by_id) if request.answered_by_id else None
    notify(session, request.requester_id, "department_request",
           f"Ответ на запрос №{request.id}: {request.subject}",
           f"{who.full_name if who else request.team}: {answer}", now, object_type="department_request",
           object_id=request.id, instance_id=context.instance_id,
           dedupe_key=f"department_request:{request.id}:answer:{request.rounds}")
    return {"answered_by": request.answered_by_id}


def close_request(context: OperationContext, request_id: int, outcome: str) -> dict:
    """The asker accepted the answer (``accept``) or asks again (``clarify``: a new round follows)."""
    request = _request(context, request_id)
    if outcome == "accept":
        request.status = RequestStatus.CLOSED
        request.closed_at = context.clock.now()
        publish(context.session, "department_request.closed", {
            "request_id": request.id, "client_id": request.client_id, "deal_id": request.deal_id,
            "requester_id": request.requester_id, "kind": request.kind,
            "product": (request.details or {}).get("product")}, request.closed_at)
    else:
        request.status = RequestStatus.OPEN
    return {"status": request.status}


def register(registry: Registry) -> None:
    registry.operation("collaboration.request_deadline", request_deadline)
    registry.operation("collaboration.escalate_request", escalate_request)
    registry.operation("collaboration.deliver_answer", deliver_answer)
    registry.operation("collaboration.close_request", close_request)
