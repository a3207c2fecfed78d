"""Who works on a task: claim, release, reassign (with a kept reason), delegate.

The same actions apply to process tasks (``human_task``) and ad-hoc tasks (``task``);
each is checked in ``models.platform.permissions`` and written to ``task_assignment``, the
assignment history shown on the task page. Claiming is a conditional update, so of two
people claiming the same queue task at once exactly one gets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, ForeignKey, Index, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.exc import StaleDataError

from engine.tables import HumanTask, TaskStatus
from models.identity.deputies import effective_assignee
from models.identity.users import User
from models.notifications.service import notify
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.permissions import require_access
from models.tasks.adhoc import Task, TaskConflict, TaskError, TaskState, set_status

ACTION_LABELS = {
    "claim": "взял(а) из очереди",
    "release": "вернул(а) в очередь",
    "reassign": "переназначил(а)",
    "delegate": "делегировал(а)",
}


class TaskAssignment(Base):
    """One change of a task's assignee: who did it, from whom, to whom, and why."""

    __tablename__ = "task_assignment"
    __table_args__ = (Index("ix_task_assignment_task", "task_kind", "task_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_kind: Mapped[str] = mapped_column(String(20))  # process | adhoc
    task_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    from_user: Mapped[User | None] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped[User | None] = relationship(foreign_keys=[to_user_id])


def task_kind(record: HumanTask | Task) -> str:
    return "process" if isinstance(record, HumanTask) else "adhoc"


def is_open(record: HumanTask | Task) -> bool:
    return record.status == TaskStatus.OPEN if isinstance(record, HumanTask) else record.is_open


def _require_open(record: HumanTask | Task) -> None:
    if not is_open(record):
        raise TaskConflict("Задача уже выполнена или отменена")


def _log(
    session: Session,
    record: HumanTask | Task,
    action: str,
    actor: User,
    from_id: int | None,
    to_id: int | None,
    reason: str | None,
    now: datetime,
) -> None:
    session.add(
        TaskAssignment(
            task_kind=task_kind(record),
            task_id=record.id,
            action=action,
            actor_id=actor.id,
            from_user_id=from_id,
            to_user_id=to_id,
            reason=reason,
            at=now,
        )
    )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise TaskConflict("Задачу только что изменил другой пользователь; обновите страницу") from None


def claim(session: Session, record: HumanTask | Task, user: User, now: datetime) -> None:
    """Take an unassigned queue task; the second of two simultaneous claims gets a conflict."""
    _require_open(record)
    if record.assignee_id is not None:
        raise TaskConflict("Задачу уже взял другой сотрудник")
    require_access(user, record, "claim")
    if isinstance(record, HumanTask):
        result = cast(CursorResult[Any], session.execute(
            update(HumanTask)
            .where(
                HumanTask.id == record.id,
                HumanTask.assignee_id.is_(None),
                HumanTask.status == TaskStatus.OPEN,
            )
            .values(assignee_id=user.id, claimed_at=now)
        ))
        if result.rowcount != 1:
            raise TaskConflict("Задачу уже взял другой сотрудник")
        session.refresh(record)
    else:
        record.assignee_id = user.id
        record.claimed_at = now
        record.status = TaskState.IN_PROGRESS
        record.updated_at = now
        _flush(session)
    _log(session, record, "claim", user, None, user.id, None, now)
    session.flush()


def release(session: Session, record: HumanTask | Task, user: User, now: datetime) -> None:
    """Put a claimed task back into its queue."""
    _require_open(record)
    require_access(user, record, "release")
    record.assignee_id = None
    record.original_assignee_id = None
    record.claimed_at = None
    if isinstance(record, Task):
        record.status = TaskState.NEW
        record.updated_at = now
    _log(session, record, "release", user, user.id, None, None, now)
    _flush(session)


def reassign(
    session: Session,
    record: HumanTask | Task,
    actor: User,
    to_user_id: int | None,
    reason: str | None,
    now: datetime,
    *,
    delegate: bool = False,
) -> int:
    """Give the task to another colleague (their deputy if they are away); returns the new assignee.

    Reassigning needs a reason, kept in the history; delegating keeps the delegator as the
    original assignee so the inbox shows on whose behalf the work is done.
    """
    _require_open(record)
    action = "delegate" if delegate else "reassign"
    require_access(actor, record, action)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not delegate and not reason:
        errors["reason"] = ["Укажите причину переназначения"]
    target = session.get(User, to_user_id) if to_user_id else None
    if target is None or not target.is_active:
        errors["assignee_id"] = ["Выберите сотрудника"]
    elif target.id == record.assignee_id:
        errors["assignee_id"] = ["Задача уже у этого сотрудника"]
    if errors or target is None:
        raise TaskError("Переназначение заполнено с ошибками", errors)
    chosen, original_id = effective_assignee(session, target.id, now.date())
    assignee_id = target.id if chosen is None else chosen  # a known user always has an assignee
    previous = record.assignee_id
    record.assignee_id = assignee_id
    record.original_assignee_id = (previous or actor.id) if delegate else original_id
    if isinstance(record, Task):
        record.updated_at = now
    _log(session, record, action, actor, previous, assignee_id, reason or None, now)
    _flush(session)
    if assignee_id != actor.id:
        verb = "делегировал(а)" if delegate else "передал(а)"
        why = f" Причина: {reason}" if reason else ""
        notify(
            session,
            assignee_id,
            "task_assigned",
            f"Вам передана задача: {record.title}",
            f"{actor.full_name} {verb} вам задачу «{record.title}».{why}",
            now,
            object_type="human_task" if isinstance(record, HumanTask) else "task",
            object_id=record.id,
        )
    return assignee_id


def change_status(
    session: Session, task: Task, status: str, user: User, now: datetime, grace: timedelta
) -> Task:
    """Start, finish or cancel an ad-hoc task (finishing needs "complete", cancelling "edit")."""
    _require_open(task)
    require_access(user, task, "edit" if status == TaskState.CANCELLED else "complete")
    set_status(session, task, status, user, now, grace)
    _flush(session)
    return task


def history(session: Session, record: HumanTask | Task) -> list[TaskAssignment]:
    return list(
        session.scalars(
            select(TaskAssignment)
            .where(TaskAssignment.task_kind == task_kind(record), TaskAssignment.task_id == record.id)
            .order_by(TaskAssignment.id)
        )
    )
