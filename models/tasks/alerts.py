"""Reminders, overdue notices and escalations: one mechanism for ad-hoc and process tasks.

Whatever triggers an alert — the ``task_alerts`` job for ad-hoc tasks, a BPMN boundary timer
for a process task (``models.tasks.operations``), the lead process's escalation — it ends in
``alert_once``: the same functions decide who is told and with what words, and call
``notify``. Both task tables carry the same markers (``reminded_at``, ``overdue_notified_at``,
``escalated_at``), so each alert is sent once per task; the notification ``dedupe_key`` is
unique as a last line of defence.

For ad-hoc tasks the scheduler runs ``run_due_alerts``: it picks tasks whose
``next_alert_at`` has passed and handles each in its own transaction, claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL and guarded by the task's ``version`` everywhere,
so with two scheduler processes each reminder and escalation is still stored once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.identity.users import Department, User
from models.notifications.service import alert_kind, local_time, notify
from models.platform.clock import Clock
from models.platform.jobs import JobContext, SessionFactory, claim, run_unit
from models.platform.labels import labels
from models.tasks.adhoc import Task, next_alert

MARKERS = {"reminder": "reminded_at", "overdue": "overdue_notified_at", "escalated": "escalated_at"}


@dataclass(frozen=True)
class Alerted:
    """What an alert needs to know about a task, ad-hoc (``task``) or of a process (``human_task``)."""

    object_type: str
    id: int
    title: str
    assignee_id: int | None
    department: str | None
    due_at: datetime | None
    business_type: str | None = None
    business_id: int | None = None
    instance_id: int | None = None  # the process of a process task: its outbox rows name it

    @classmethod
    def of(cls, record: Task | HumanTask) -> Alerted:
        """The alert's view of either task table (a queue task's department differs in name)."""
        if isinstance(record, HumanTask):
            return cls("human_task", record.id, record.title, record.assignee_id, record.candidate_department,
                       record.due_at, record.business_type, record.business_id, record.instance_id)
        return cls("task", record.id, record.title, record.assignee_id, record.department, record.due_at,
                   record.business_type, record.business_id)


def escalation_target(session: Session, assignee_id: int | None, department: str | None) -> int | None:
    """The assignee's manager; for an unassigned queue task, the head of its department."""
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is not None and user.manager_id is not None:
            return user.manager_id
    if department:
        return session.scalar(select(Department.head_id).where(Department.code == department))
    return None


def _named(session: Session, task: Alerted) -> str:
    """«title», plus the client, deal or lead the task is about, so the reader knows what it concerns."""
    if task.business_type and task.business_id is not None:
        ref = (task.business_type, task.business_id)
        return f"«{task.title}» ({labels(session, [ref])[ref]})"
    return f"«{task.title}»"


def _due(task: Alerted) -> Callable[[User], str]:
    """The due moment as the recipient reads it (their zone)."""
    return lambda user: local_time(task.due_at, user.timezone)


def _send(session: Session, task: Alerted, event: str, to: int | None, title: str,
          body: Callable[[User], str], now: datetime) -> bool:
    return bool(notify(session, to, alert_kind(event, task.business_type), title, body, now,
                       object_type=task.object_type, object_id=task.id, instance_id=task.instance_id,
                       dedupe_key=f"{task.object_type}:{task.id}:{event}"))


def remind(session: Session, task: Alerted, now: datetime) -> bool:
    """Remind the assignee that the task is due soon (nobody to remind in a queue)."""
    if task.assignee_id is None:
        return False
    named, due = _named(session, task), _due(task)
    return _send(session, task, "reminder", task.assignee_id, f"Напоминание: {task.title}",
                 lambda user: f"Не забудьте про задачу {named}. Срок: {due(user)}.", now)


def report_overdue(session: Session, task: Alerted, now: datetime) -> bool:
    """Tell the assignee (for a queue task, the department head) that the due date has passed."""
    target = task.assignee_id
    if target is None:
        target = escalation_target(session, None, task.department)
    if target is None:
        return False
    named, due = _named(session, task), _due(task)
    return _send(session, task, "overdue", target, f"Просрочена задача: {task.title}",
                 lambda user: f"Срок задачи {named} истёк {due(user)}. "
                              "Выполните её или сообщите руководителю.", now)


def escalate(session: Session, task: Alerted, now: datetime, *, to: int | None = None,
             handed_over: bool = False) -> bool:
    """Tell ``to`` (by default the assignee's manager, for a queue task the department head) that
    the task is still overdue; when the work was ``handed_over`` to them, tell the assignee too."""
    target = to if to is not None else escalation_target(session, task.assignee_id, task.department)
    if target is None:
        return False
    named, due = _named(session, task), _due(task)
    assignee = session.get(User, task.assignee_id) if task.assignee_id else None
    who = assignee.full_name if assignee else "очередь отдела"
    then = " Задача передана вам." if handed_over else ""
    sent = _send(session, task, "escalated", target, f"Эскалация: просрочена задача «{task.title}»",
                 lambda user: f"Задача {named} ({who}) просрочена: срок был {due(user)}.{then}", now)
    if handed_over and assignee is not None and assignee.id != target:
        senior = session.get(User, target)
        to_whom = senior.full_name if senior else "—"
        told = _send(session, task, "escalated", assignee.id, f"Эскалация: задача «{task.title}» передана",
                     lambda user: f"Срок задачи {named} истёк {due(user)}. Задача передана: {to_whom}.", now)
        sent = sent or told
    return sent


SENDERS: dict[str, Callable[..., bool]] = {
    "reminder": remind, "overdue": report_overdue, "escalated": escalate,
}


def alert_once(session: Session, record: Task | HumanTask, event: str, now: datetime,
               **options: Any) -> bool:
    """Send the ``event`` alert (``reminder``, ``overdue``, ``escalated``) about ``record`` unless it
    was sent before, and record the moment on the task; ``options`` go to ``escalate``."""
    marker = MARKERS[event]
    if getattr(record, marker) is not None:
        return False
    setattr(record, marker, now)
    return SENDERS[event](session, Alerted.of(record), now, **options)


def alert_task(session: Session, task: Task, now: datetime, grace: timedelta) -> None:
    """Send whatever is due for one ad-hoc task and move ``next_alert_at`` on."""
    if task.is_open and task.remind_at and task.reminded_at is None and task.remind_at <= now:
        alert_once(session, task, "reminder", now)
    if task.is_open and task.due_at and task.overdue_notified_at is None and task.due_at <= now:
        alert_once(session, task, "overdue", now)
    if (
        task.is_open
        and task.due_at
        and task.overdue_notified_at is not None
        and task.escalated_at is None
        and task.due_at + grace <= now
    ):
        alert_once(session, task, "escalated", now)
    task.next_alert_at = next_alert(task, grace)


def run_due_alerts(session_factory: SessionFactory, clock: Clock, grace: timedelta, limit: int = 500) -> int:
    """The scheduler job: handle every ad-hoc task with a due alert; returns how many were handled."""
    now = clock.now()
    with session_factory() as session:
        ids = session.scalars(
            select(Task.id).where(Task.next_alert_at <= now).order_by(Task.next_alert_at).limit(limit)
        ).all()

    def work_for(task_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            task = claim(session, select(Task).where(Task.id == task_id, Task.next_alert_at <= now))
            if task is None:
                return False
            alert_task(session, task, now, grace)
            return True

        return work

    return sum(bool(run_unit(session_factory, work_for(task_id))) for task_id in ids)


def alerts_job(context: JobContext) -> int:
    """``task_alerts``: reminders, overdue notices and escalations of ad-hoc tasks."""
    return run_due_alerts(context.session_factory, context.clock, context.settings.escalation_grace)
