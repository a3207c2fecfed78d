"""Reminders, overdue notices and escalations: who is told, and the job for ad-hoc tasks.

For ad-hoc tasks the scheduler runs ``run_due_alerts``: it picks tasks whose
``next_alert_at`` has passed and handles each in its own transaction, claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL and guarded by the task's ``version`` everywhere,
so with two scheduler processes each reminder and escalation is still stored once (the
notification ``dedupe_key`` is unique as a last line of defence). Process tasks get the
same notices from BPMN boundary timers calling ``models.tasks.operations`` operations,
which use the helpers here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.users import Department, User
from models.notifications.service import notify
from models.platform.jobs import JobContext, SessionFactory, claim, run_unit
from models.tasks.adhoc import Task, next_alert


def escalation_target(session: Session, assignee_id: int | None, department: str | None) -> int | None:
    """The assignee's manager; for an unassigned queue task, the head of its department."""
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is not None and user.manager_id is not None:
            return user.manager_id
    if department:
        return session.scalar(select(Department.head_id).where(Department.code == department))
    return None


def _when(due_at: datetime | None) -> str:
    return due_at.strftime("%d.%m.%Y %H:%M UTC") if due_at else "—"


def send_reminder(
    session: Session,
    kind: str,
    task_id: int,
    title: str,
    assignee_id: int | None,
    due_at: datetime | None,
    now: datetime,
) -> bool:
    if assignee_id is None:
        return False
    return (
        notify(
            session,
            assignee_id,
            "task_reminder",
            f"Напоминание: {title}",
            f"Не забудьте про задачу «{title}». Срок: {_when(due_at)}.",
            now,
            object_type=kind,
            object_id=task_id,
            dedupe_key=f"{kind}:{task_id}:reminder",
        )
        is not None
    )


def send_overdue(
    session: Session,
    kind: str,
    task_id: int,
    title: str,
    assignee_id: int | None,
    department: str | None,
    due_at: datetime | None,
    now: datetime,
) -> bool:
    target = assignee_id if assignee_id is not None else escalation_target(session, None, department)
    if target is None:
        return False
    return (
        notify(
            session,
            target,
            "task_overdue",
            f"Просрочена задача: {title}",
            f"Срок задачи «{title}» истёк {_when(due_at)}. Выполните её или сообщите руководителю.",
            now,
            object_type=kind,
            object_id=task_id,
            dedupe_key=f"{kind}:{task_id}:overdue",
        )
        is not None
    )


def send_escalation(
    session: Session,
    kind: str,
    task_id: int,
    title: str,
    assignee_id: int | None,
    department: str | None,
    due_at: datetime | None,
    now: datetime,
) -> bool:
    target = escalation_target(session, assignee_id, department)
    if target is None:
        return False
    who = session.get(User, assignee_id).full_name if assignee_id else "очередь отдела"
    return (
        notify(
            session,
            target,
            "task_escalated",
            f"Эскалация: просрочена задача «{title}»",
            f"Задача «{title}» ({who}) просрочена: срок был {_when(due_at)}.",
            now,
            object_type=kind,
            object_id=task_id,
            dedupe_key=f"{kind}:{task_id}:escalated",
        )
        is not None
    )


def alert_task(session: Session, task: Task, now: datetime, grace: timedelta) -> None:
    """Send whatever is due for one ad-hoc task and move ``next_alert_at`` on."""
    if task.is_open and task.remind_at and task.reminded_at is None and task.remind_at <= now:
        send_reminder(session, "task", task.id, task.title, task.assignee_id, task.due_at, now)
        task.reminded_at = now
    if task.is_open and task.due_at and task.overdue_notified_at is None and task.due_at <= now:
        send_overdue(
            session, "task", task.id, task.title, task.assignee_id, task.department, task.due_at, now
        )
        task.overdue_notified_at = now
    if (
        task.is_open
        and task.due_at
        and task.overdue_notified_at is not None
        and task.escalated_at is None
        and task.due_at + grace <= now
    ):
        send_escalation(
            session, "task", task.id, task.title, task.assignee_id, task.department, task.due_at, now
        )
        task.escalated_at = now
    task.next_alert_at = next_alert(task, grace)


def run_due_alerts(
    session_factory: SessionFactory, clock: Any, grace: timedelta, limit: int = 500
) -> int:
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
