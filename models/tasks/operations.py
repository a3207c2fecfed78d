"""Service-task operations that let BPMN timers remind, report overdue work and escalate.

The reusable pattern (see ``processes/client_callback.bpmn``): a ``tasks.deadlines``
service task computes the due, reminder and escalation moments (the escalation waits the
configured grace period, ``CRM_ESCALATION_GRACE``); the user task takes its due date from
them, and three non-interrupting boundary timers call ``notify.task_reminder``,
``notify.task_overdue`` and ``notify.task_escalate`` with the user task's id. They hand the
task's ``human_task`` row to ``models.tasks.alerts.alert_once`` — the same code ad-hoc tasks
use — which notifies once (in-app, and by e-mail through the outbox after the step
commits) and records the moment on the row; a timer fires once because the engine steps
an instance under optimistic locking.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.durations import iso_duration
from engine.errors import OperationError
from engine.operations import OperationContext
from engine.tables import HumanTask, TaskStatus
from models.identity.users import find_user
from models.notifications.service import notify
from models.platform.registry import Registry
from models.tasks.alerts import alert_once

DEFAULT_GRACE = timedelta(hours=4)


def _duration(value: str, name: str) -> timedelta:
    try:
        return iso_duration(value)
    except ValueError:
        raise OperationError(f"Параметр «{name}»: ожидается длительность ISO 8601, например PT4H") from None


def grace_of(context: OperationContext) -> timedelta:
    """How long a task may stay overdue before escalation (``CRM_ESCALATION_GRACE``)."""
    return getattr(context.settings, "escalation_grace", None) or DEFAULT_GRACE


def deadlines(context: OperationContext, due_in: str, remind_before: str) -> dict:
    """Due, reminder and escalation moments (ISO) for a user task due ``due_in`` from now."""
    now = context.clock.now()
    due = now + _duration(due_in, "due_in")
    remind = max(now, due - _duration(remind_before, "remind_before"))
    escalate = due + grace_of(context)

    def after(moment) -> str:  # boundary timers take durations from the moment they start waiting
        return f"PT{max(0, int((moment - now).total_seconds()))}S"

    return {
        "due_at": due.isoformat(),
        "remind_at": remind.isoformat(),
        "escalate_at": escalate.isoformat(),
        "due_after": after(due),
        "remind_after": after(remind),
        "escalate_after": after(escalate),
    }


def open_task(context: OperationContext, element: str) -> HumanTask | None:
    """The open user task ``element`` (its BPMN id) of the calling instance."""
    return context.session.scalar(
        select(HumanTask)
        .where(
            HumanTask.instance_id == context.instance_id,
            HumanTask.element_id == element,
            HumanTask.status == TaskStatus.OPEN,
        )
        .order_by(HumanTask.id.desc())
        .limit(1)
    )


def _alert(context: OperationContext, task: str, event: str) -> dict:
    row = open_task(context, task)
    if row is None:
        return {"sent": False}
    return {"sent": alert_once(context.session, row, event, context.clock.now())}


def task_reminder(context: OperationContext, task: str) -> dict:
    """Remind the assignee of the open user task ``task`` (its BPMN id)."""
    return _alert(context, task, "reminder")


def task_overdue(context: OperationContext, task: str) -> dict:
    """Tell the assignee (or the queue's department head) that ``task`` is overdue."""
    return _alert(context, task, "overdue")


def task_escalate(context: OperationContext, task: str) -> dict:
    """Tell the assignee's manager that ``task`` is still overdue and mark it escalated."""
    return _alert(context, task, "escalated")


def notify_user(context: OperationContext, user: str, title: str, body: str) -> dict:
    """Notify an employee by login (in-app, and by e-mail if they want this kind)."""
    target = find_user(context.session, str(user).strip().lower())
    if target is None:
        raise OperationError(f"Сотрудник «{user}» не найден")
    rows = notify(
        context.session,
        target.id,
        "task_assigned",
        title,
        body,
        context.clock.now(),
        object_type="process",
        object_id=context.instance_id,
        instance_id=context.instance_id,
    )
    return {"sent": bool(rows)}


def register(registry: Registry) -> None:
    """The service-task operations of this module."""
    registry.operation("tasks.deadlines", deadlines)
    registry.operation("notify.task_reminder", task_reminder)
    registry.operation("notify.task_overdue", task_overdue)
    registry.operation("notify.task_escalate", task_escalate)
    registry.operation("notify.user", notify_user)
    registry.simulation("tasks.deadlines", deadlines)  # pure: the clock and settings only
