"""Demo tasks: a lived-in inbox today, a year of done tasks behind it, and calls to return.

Today's ad-hoc tasks are created once, through ``create_task`` (with its notifications). The
year behind them (tasks set and done every week, a few late) is added as closed rows, so the
workload and the history have something to show without notifying anyone of old work. The
demo manager logins also get «Перезвонить клиенту» processes (``client_callback``) for their
own clients, so «Мой день» has calls to return. Loading again adds nothing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.tables import ProcessInstance
from models.clients.cards import Client
from models.identity.users import find_user
from models.notifications.service import send_email
from models.platform.outbox import MAX_ATTEMPTS, OutboxMessage
from models.platform.registry import DemoContext
from models.tasks.adhoc import Task, TaskInput, TaskState, create_task

# (assignee, creator, title, hours from now until due, priority)
_TASKS = (
    ("manager", "senior", "Позвонить по продлению КАСКО", 5, 1),
    ("manager", "senior", "Подготовить коммерческое предложение по ДМС", -20, 1),
    ("manager", "manager", "Отправить клиенту проект договора", 30, 2),
    ("manager2", "senior", "Согласовать скидку с андеррайтером", 3, 2),
    ("manager2", "manager2", "Собрать список ТС для расчёта КАСКО", -4, 2),
    ("manager3", "senior", "Встреча с финансовым директором", 48, 2),
    ("manager3", "manager3", "Напомнить клиенту об оплате второго взноса", 6, 1),
    ("senior", "head", "Проверить выполнение плана продаж за месяц", 72, 3),
)
_HISTORY_TITLES = (
    "Подготовить расчёт по ДМС",
    "Отправить КП и перезвонить",
    "Запросить у клиента список ТС",
    "Согласовать проект договора с юристом",
    "Проверить оплату первого взноса",
    "Встреча с ЛПР",
    "Собрать документы для андеррайтинга",
    "Напомнить о продлении полиса",
)
HISTORY_WEEKS = 52
# (login, client number among the login's clients, hours until the call is due)
_CALLBACKS = (
    ("manager", 0, 2),
    ("manager", 1, 26),
    ("manager", 2, 1),
    ("manager2", 0, 4),
    ("manager3", 0, 5),
)


def _clients_of(session: Session, user_id: int) -> list[Client]:
    return list(
        session.scalars(select(Client).where(Client.owner_id == user_id).order_by(Client.id).limit(5))
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
        clients = _clients_of(session, user.id)
        client = clients[created % len(clients)] if clients else None
        create_task(
            session,
            TaskInput(
                title=title,
                assignee_id=user.id,
                priority=priority,
                business_type="client" if client else None,
                business_id=client.id if client else None,
                due_at=now + timedelta(hours=hours),
                description="Демо-задача",
            ),
            author,
            now,
            grace,
        )
        created += 1
    return {"tasks": created, "tasks_done": _history(session, now)}


def _history(session: Session, now: datetime) -> int:
    """Done tasks over the last year: two or three a week per salesperson, set by the senior or themselves."""
    rng = random.Random(21)
    senior = find_user(session, "senior")
    added = 0
    for login in ("manager", "manager2", "manager3"):
        user = find_user(session, login)
        if user is None:
            continue
        clients = _clients_of(session, user.id)
        for week in range(HISTORY_WEEKS, 0, -1):
            for _ in range(rng.randrange(2, 4)):
                created = now - timedelta(weeks=week, days=rng.randrange(5), hours=rng.randrange(8))
                due = created + timedelta(days=rng.randrange(1, 4))
                done = due + timedelta(hours=rng.choice((-30, -20, -6, -2, 3, 20)))
                client = rng.choice(clients) if clients else None
                session.add(
                    Task(
                        title=rng.choice(_HISTORY_TITLES),
                        assignee_id=user.id,
                        creator_id=(senior or user).id if rng.random() < 0.5 else user.id,
                        business_type="client" if client else None,
                        business_id=client.id if client else None,
                        due_at=due,
                        priority=rng.choice((1, 2, 2, 3)),
                        status=TaskState.DONE,
                        is_open=False,
                        created_at=created,
                        updated_at=done,
                        completed_at=done,
                        completed_by_id=user.id,
                        version=1,
                    )
                )
                added += 1
    session.flush()
    return added


def start_demo_callbacks(context: DemoContext) -> int:
    """«Перезвонить клиенту» for the managers' own clients (the process is the one the trigger starts)."""
    session = context.session
    engine = context.engine()
    started = select(func.count(ProcessInstance.id)).where(ProcessInstance.process_key == "client_callback")
    if engine.latest_definition("client_callback") is None or session.scalar(started):
        return 0
    count = 0
    for login, index, hours in _CALLBACKS:
        user = find_user(session, login)
        clients = _clients_of(session, user.id) if user else []
        if user is None or len(clients) <= index:
            continue
        client = clients[index]
        engine.start(
            "client_callback",
            {"company": client.display_name, "assignee": login, "due_in": f"PT{hours}H"},
            business_type="client",
            business_id=client.id,
            user_id=user.id,
            title=f"Перезвонить: {client.display_name}",
        )
        count += 1
    return count


def admin_signals(context: DemoContext) -> int:
    """What an administrator meets on a real Monday: one bounced letter and one broken process step.

    The letter goes through ``send_email`` and is recorded as the outbox worker leaves a letter
    the mail server refused ten times; the incident is a real one: a callback started with a
    duration written in words («1 день», as a hand-made trigger might), which ``tasks.deadlines``
    refuses. Both are on the admin's home until someone fixes them.
    """
    session = context.session
    engine = context.engine()
    manager = find_user(session, "manager")
    if manager is None or session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")
    ):
        return 0
    now = context.clock.now()
    letter = send_email(
        session,
        "zakupki@avtokolonna12.ru",
        "Коммерческое предложение по КАСКО",
        "Добрый день! Направляем расчёт КАСКО для вашего автопарка.",
        now - timedelta(hours=30),
    )
    letter.attempts, letter.status = MAX_ATTEMPTS, "failed"
    letter.last_error = "550 5.1.1 <zakupki@avtokolonna12.ru>: Recipient address rejected: User unknown"
    if engine.latest_definition("client_callback") is not None:
        clients = _clients_of(session, manager.id)
        if clients:
            engine.start(
                "client_callback",
                {"company": clients[-1].display_name, "assignee": "manager", "due_in": "1 день"},
                business_type="client",
                business_id=clients[-1].id,
                title=f"Перезвонить: {clients[-1].display_name}",
            )
    session.flush()
    return 2


def seed_tasks(context: DemoContext) -> dict[str, int]:
    created = load_demo_tasks(context.session, context.clock.now(), context.settings.escalation_grace)
    return {**created, "callbacks": start_demo_callbacks(context), "admin_signals": admin_signals(context)}
