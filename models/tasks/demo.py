"""Demo ad-hoc tasks, so every demo salesperson opens a lived-in inbox (created once)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.identity.users import find_user
from models.platform.registry import DemoContext
from models.tasks.adhoc import Task, TaskInput, create_task

# (assignee, creator, title, hours from now until due, priority)
_TASKS = (
    ("manager", "senior", "Позвонить по продлению КАСКО", 5, 1),
    ("manager", "senior", "Подготовить коммерческое предложение по ДМС", -20, 1),
    ("manager", "manager", "Отправить клиенту проект договора", 30, 2),
    ("manager2", "senior", "Согласовать скидку с андеррайтером", 3, 2),
    ("manager3", "senior", "Встреча с финансовым директором", 48, 2),
    ("senior", "head", "Проверить выполнение плана продаж за месяц", 72, 3),
)


def load_demo_tasks(session: Session, now: datetime, grace: timedelta) -> dict[str, int]:
    if session.scalar(select(func.count(Task.id))):
        return {"tasks": 0}
    created = 0
    for assignee, creator, title, hours, priority in _TASKS:
        user = find_user(session, assignee)
        author = find_user(session, creator)
        if user is None or author is None:
            continue
        client = session.scalar(select(Client).where(Client.owner_id == user.id).order_by(Client.id).limit(1))
        create_task(session, TaskInput(
            title=title, assignee_id=user.id, priority=priority,
            business_type="client" if client else None, business_id=client.id if client else None,
            due_at=now + timedelta(hours=hours), description="Демо-задача",
        ), author, now, grace)
        created += 1
    return {"tasks": created}


def seed_tasks(context: DemoContext) -> dict[str, int]:
    return load_demo_tasks(context.session, context.clock.now(), context.settings.escalation_grace)
