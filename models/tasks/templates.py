"""Task templates: create the same task for many clients or deals at once.

«Позвонить по продлению» for 200 clients is one template applied to a selection; each
created task is linked to its record and goes to the chosen colleague, department, or
the record's owner (the client's manager), through the deputy rule like any task.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.permissions import can_access
from models.tasks.adhoc import PRIORITY_LABELS, Task, TaskError, TaskInput, create_task

MAX_BATCH = 1000
ASSIGN_OWNER = "owner"


class TaskTemplate(Base):
    __tablename__ = "task_template"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    business_type: Mapped[str] = mapped_column(String(40), default="client")
    due_in_days: Mapped[int] = mapped_column(Integer, default=3)
    remind_before_hours: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def create_template(
    session: Session,
    user: User,
    *,
    name: str,
    title: str,
    description: str | None,
    business_type: str,
    due_in_days: int | None,
    remind_before_hours: int | None,
    priority: int,
    now: datetime,
    field_errors: dict[str, list[str]] | None = None,
) -> TaskTemplate:
    """Validate and add a template; ``field_errors`` (what the caller could not parse) refuse it too."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["Укажите название шаблона"]
    if not (title or "").strip():
        errors["title"] = ["Укажите, что нужно сделать"]
    if business_type not in ("client", "deal"):
        errors["business_type"] = ["Шаблон применяется к клиентам или сделкам"]
    if due_in_days is None or not 0 <= due_in_days <= 365:
        errors["due_in_days"] = ["Срок — от 0 до 365 дней"]
    if remind_before_hours is not None and not 0 <= remind_before_hours <= 24 * 30:
        errors["remind_before_hours"] = ["Напоминание — от 0 до 720 часов до срока"]
    if priority not in PRIORITY_LABELS:
        errors["priority"] = ["Выберите приоритет из списка"]
    errors = {**(field_errors or {}), **errors}
    if errors:
        raise TaskError("Шаблон заполнен с ошибками", errors)
    template = TaskTemplate(
        name=name.strip(),
        title=title.strip(),
        description=description or None,
        business_type=business_type,
        due_in_days=due_in_days,
        remind_before_hours=remind_before_hours,
        priority=priority,
        created_by_id=user.id,
        created_at=now,
    )
    session.add(template)
    session.flush()
    return template


def _owners(session: Session, business_type: str, ids: list[int]) -> dict[int, int | None]:
    if business_type != "client":
        return {}
    return dict(session.execute(select(Client.id, Client.owner_id).where(Client.id.in_(ids))).all())


def apply_template(
    session: Session,
    template: TaskTemplate,
    record_ids: list[int],
    creator: User,
    now: datetime,
    grace: timedelta,
    *,
    assignee_id: int | None = None,
    department: str | None = None,
    assign: str | None = None,
) -> list[Task]:
    """One task per record; ``assign="owner"`` gives each to the record's owner."""
    ids = sorted(set(record_ids))
    if not ids:
        raise TaskError("Не выбрано ни одной записи", {"record_ids": ["Выберите хотя бы одну запись"]})
    if len(ids) > MAX_BATCH:
        raise TaskError("Слишком много записей", {"record_ids": [f"Не больше {MAX_BATCH} за раз"]})
    if template.business_type == "client":
        found = list(session.scalars(select(Client).where(Client.id.in_(ids))))
        if len(found) != len(ids) or not all(can_access(creator, c) for c in found):
            raise TaskError(
                "Нет доступа к части клиентов", {"record_ids": ["Выберите клиентов, которых вы видите"]}
            )
    owners = _owners(session, template.business_type, ids) if assign == ASSIGN_OWNER else {}
    due = now + timedelta(days=template.due_in_days)
    remind = due - timedelta(hours=template.remind_before_hours) if template.remind_before_hours else None
    tasks = []
    for record_id in ids:
        target = owners.get(record_id) if assign == ASSIGN_OWNER else assignee_id
        data = TaskInput(
            title=template.title,
            description=template.description,
            assignee_id=target,
            department=department if target is None else None,
            business_type=template.business_type,
            business_id=record_id,
            due_at=due,
            remind_at=remind,
            priority=template.priority,
        )
        tasks.append(create_task(session, data, creator, now, grace, template_id=template.id))
    return tasks


def all_templates(session: Session) -> list[TaskTemplate]:
    """Every template, by name (the templates page)."""
    return list(session.scalars(select(TaskTemplate).order_by(TaskTemplate.name)))
