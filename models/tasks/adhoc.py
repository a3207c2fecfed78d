"""Ad-hoc tasks: work one colleague gives another (or a department), outside any process.

A task goes to a person or to a department queue, may be linked to a client, deal or
document (``business_type``/``business_id``), and has a due date, a reminder time and a
priority. ``is_open`` mirrors the status so the inbox reads "my open tasks" with one index
range; ``next_alert_at`` is the next moment the scheduler must look at the task (reminder,
overdue, escalation), so the alert job is an index lookup too. Field history comes from
the audit log (``__audited__``); ``version`` makes concurrent edits fail instead of
overwriting each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.identity.deputies import effective_assignee
from models.identity.users import User
from models.notifications.service import notify
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.fragments import trigram_index
from models.platform.links import readable_link
from models.platform.roles import DEPARTMENTS


class TaskState:
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    OPEN = (NEW, IN_PROGRESS)
    ALL = (NEW, IN_PROGRESS, DONE, CANCELLED)


STATUS_LABELS = {
    TaskState.NEW: "Новая",
    TaskState.IN_PROGRESS: "В работе",
    TaskState.DONE: "Выполнена",
    TaskState.CANCELLED: "Отменена",
    "open": "Открыта",
    "completed": "Выполнена",
    "cancelled": "Отменена",
}
PRIORITY_LABELS = {1: "Высокий", 2: "Обычный", 3: "Низкий"}
BUSINESS_TYPES = {"client": "Клиент", "deal": "Сделка", "document": "Документ"}


class Task(Base):
    """One ad-hoc task (the inbox shows these next to process tasks)."""

    __tablename__ = "task"
    __audited__ = True
    __table_args__ = (
        Index("ix_task_assignee_open", "assignee_id", "is_open", "due_at"),
        Index("ix_task_department_queue", "department", "is_open", "assignee_id", "due_at"),
        Index("ix_task_business", "business_type", "business_id"),
        Index("ix_task_completed_by", "completed_by_id", "completed_at"),
        Index("ix_task_creator", "creator_id", "is_open"),
        trigram_index("ix_task_title_trgm", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    original_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    department: Mapped[str | None] = mapped_column(String(40))
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    business_type: Mapped[str | None] = mapped_column(String(40))
    business_id: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    status: Mapped[str] = mapped_column(String(20), default=TaskState.NEW)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("task_template.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    original_assignee: Mapped[User | None] = relationship(foreign_keys=[original_assignee_id])
    creator: Mapped[User | None] = relationship(foreign_keys=[creator_id])

    __mapper_args__ = {"version_id_col": version}


class TaskError(Exception):
    """Bad input for a task; ``fields`` maps field names to Russian messages."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class TaskConflict(TaskError):
    """Someone else changed the task first (claimed it, closed it): HTTP 409."""


@dataclass
class TaskInput:
    """What a person fills in to create a task (already parsed from a form or JSON)."""

    title: str = ""
    description: str | None = None
    assignee_id: int | None = None
    department: str | None = None
    business_type: str | None = None
    business_id: int | None = None
    due_at: datetime | None = None
    remind_at: datetime | None = None
    priority: int = 2
    errors: dict[str, list[str]] = field(default_factory=dict)  # parse errors found earlier


def next_alert(task: Task, grace: timedelta) -> datetime | None:
    """The next moment the alert job must look at ``task`` (None: nothing left to send)."""
    if not task.is_open:
        return None
    if task.remind_at and task.reminded_at is None:
        return task.remind_at
    if task.due_at and task.overdue_notified_at is None:
        return task.due_at
    if task.due_at and task.escalated_at is None:
        return task.due_at + grace
    return None


def _check(session: Session, data: TaskInput, creator: User | None = None) -> dict[str, list[str]]:
    errors = dict(data.errors)
    title = (data.title or "").strip()
    if not title:
        errors.setdefault("title", []).append("Укажите, что нужно сделать")
    elif len(title) > 500:
        errors.setdefault("title", []).append("Не длиннее 500 символов")
    if data.assignee_id is None and not data.department:
        errors.setdefault("assignee_id", []).append("Укажите исполнителя или отдел")
    if data.assignee_id is not None:
        user = session.get(User, data.assignee_id)
        if user is None or not user.is_active:
            errors.setdefault("assignee_id", []).append("Исполнитель не найден")
    if data.department and data.department not in DEPARTMENTS:
        errors.setdefault("department", []).append("Неизвестный отдел")
    if data.business_type and data.business_type not in BUSINESS_TYPES:
        errors.setdefault("business_type", []).append("Связать можно с клиентом, сделкой или документом")
    if data.business_type and data.business_id is None:
        errors.setdefault("business_id", []).append("Выберите связанную запись из подсказок")
    elif (data.business_type in BUSINESS_TYPES and data.business_id is not None and creator is not None
          and readable_link(session, creator, data.business_type, data.business_id) is None):
        errors.setdefault("business_id", []).append("Связанная запись не найдена или недоступна вам")
    if data.priority not in PRIORITY_LABELS:
        errors.setdefault("priority", []).append("Выберите приоритет из списка")
    if data.remind_at and data.due_at and data.remind_at > data.due_at:
        errors.setdefault("remind_at", []).append("Напоминание должно быть не позже срока")
    return errors


def create_task(
    session: Session,
    data: TaskInput,
    creator: User | None,
    now: datetime,
    grace: timedelta,
    template_id: int | None = None,
) -> Task:
    """Validate and add a task; work for an absent colleague goes to their deputy."""
    errors = _check(session, data, creator)
    if errors:
        raise TaskError("Задача заполнена с ошибками", errors)
    assignee_id, original_id = effective_assignee(session, data.assignee_id, now.date())
    task = Task(
        title=data.title.strip(),
        description=(data.description or "").strip() or None,
        assignee_id=assignee_id,
        original_assignee_id=original_id,
        department=data.department or None,
        creator_id=creator.id if creator else None,
        business_type=data.business_type or None,
        business_id=data.business_id if data.business_type else None,
        due_at=data.due_at,
        remind_at=data.remind_at,
        priority=data.priority,
        status=TaskState.NEW,
        is_open=True,
        template_id=template_id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    task.next_alert_at = next_alert(task, grace)
    session.add(task)
    session.flush()
    if assignee_id is not None and (creator is None or assignee_id != creator.id):
        who = creator.full_name if creator else "Система"
        note = " (вместо отсутствующего коллеги)" if original_id else ""
        notify(
            session,
            assignee_id,
            "task_assigned",
            f"Новая задача: {task.title}",
            f"{who} поставил(а) вам задачу «{task.title}»{note}.",
            now,
            object_type="task",
            object_id=task.id,
        )
    return task


def set_status(
    session: Session, task: Task, status: str, user: User, now: datetime, grace: timedelta
) -> Task:
    """Move ``task`` to ``status``; done and cancelled close it (permissions checked by the caller).

    Nothing is flushed here: the caller (``actions.change_status``) flushes, turning a concurrent
    change of the same task (its ``version`` moved on) into a ``TaskConflict``.
    """
    if status not in TaskState.ALL:
        raise TaskError("Неизвестный статус", {"status": ["Выберите статус из списка"]})
    if not task.is_open and status in TaskState.OPEN:
        raise TaskError("Закрытую задачу нельзя вернуть в работу", {"status": ["Задача уже закрыта"]})
    task.status = status
    task.is_open = status in TaskState.OPEN
    task.updated_at = now
    if status == TaskState.IN_PROGRESS and task.assignee_id is None:
        task.assignee_id = user.id
        task.claimed_at = now
    if not task.is_open:
        task.completed_at = now
        task.completed_by_id = user.id
    task.next_alert_at = next_alert(task, grace)
    return task
