"""Demo data of the studio: owners of the shipped processes, a trigger, and three weeks of lead history.

The history runs real leads through ``lead_handling`` on a clock moved by hand, so the
analytics and the simulation have recorded durations to show: most leads are handled within
an hour or two, some after the 3-hour reminder, a few after the 4-hour escalation (then the
senior manager does it). Idempotent: nothing is added once any process has an owner.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.ports import EngineServices
from engine.tables import HumanTask, ProcessInstance, TaskStatus
from models.identity.users import User
from models.platform.clock import ManualClock
from models.platform.registry import DemoContext, installed
from models.sales.intake import submit_lead
from models.sales.leads import check_lead_input
from models.studio.tables import FeedbackKind, ProcessOwner, ProcessTrigger, StepFeedback, TriggerAction

OWNERS = {"lead_handling": "analyst", "client_data_review": "analyst", "client_callback": "senior"}
HISTORY_LEADS = 24
_TERRITORIES = ("Москва", "Казань", "Екатеринбург", "Москва", "Новосибирск")
# What managers said about the lead steps, so the product specialist's home has feedback to read.
_FEEDBACK = (
    (FeedbackKind.UNCLEAR, "Непонятно, что писать в причине отказа, если клиент просто не отвечает."),
    (FeedbackKind.EXTRA_STEP, "Повторно спрашиваем ИНН, хотя он уже есть в заявке с сайта."),
)
_INDUSTRIES = ("Логистика", "Строительство", "Транспорт", "Оптовая торговля", "Производство")
_COMPANIES = ("Северный склад", "Автоколонна 12", "Мостострой", "Торговый дом Ладога", "Хлебозавод Заря",
              "Вектор Логистик", "Уральская сталь", "Медсервис", "Техноплюс", "Агрокомплекс Кубань",
              "Русский лес", "Аквафор Сервис", "Спецтехника Урал", "Балтийский терминал", "Газон Мастер",
              "Пекарня Каравай", "Смарт Офис", "Ремстрой-3", "Фабрика Северянка", "Камская верфь",
              "Энергосбыт Плюс", "Клиника Здоровье", "Окна Профи", "Рефтранс")
_PEOPLE = ("Антон Белов", "Светлана Орлова", "Игорь Зайцев", "Наталья Котова", "Роман Егоров", "Юлия Фомина",
           "Денис Гаврилов", "Ксения Титова")
_MINUTES = (20, 35, 50, 75, 95, 120, 150, 200, 230, 290)


def _open_task(session: Session, instance_id: int) -> HumanTask | None:
    return session.scalar(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.id)
    )


def _outcome(rng: random.Random) -> dict:
    if rng.random() < 0.55:
        return {
            "outcome": "qualified",
            "premium": str(rng.choice((350000, 800000, 1500000))),
            "product": rng.choice(("КАСКО", "ДМС", "Имущество")),
        }
    return {"outcome": "not_relevant", "reason": rng.choice(("Нет потребности", "Уже застрахованы"))}


def _one_lead(session: Session, engine: Callable[[], ProcessEngine], clock: ManualClock, rng: random.Random,
              n: int) -> None:
    """One lead through the process; each step on a fresh engine, as each request and job has."""
    raw = {
        "name": _PEOPLE[n % len(_PEOPLE)],
        "company": f"ООО «{_COMPANIES[n % len(_COMPANIES)]}»",
        "phone": f"+7 916 4{n:02d}-10-{10 + n}",
        "territory": _TERRITORIES[n % len(_TERRITORIES)],
        "industry": _INDUSTRIES[n % len(_INDUSTRIES)],
        "source": "site",
    }
    lead = submit_lead(
        session, engine(), check_lead_input(raw).values, source="site", user_id=None, remote_addr=None
    )
    instance = session.get(ProcessInstance, lead.instance_id)
    task = _open_task(session, instance.id) if instance is not None else None
    if instance is None or task is None:
        return
    created = clock.now()
    minutes = rng.choice(_MINUTES)
    for hours in (3, 4):  # the reminder, then the escalation timer, when the manager is that slow
        if minutes > hours * 60:
            clock.set(created + timedelta(hours=hours, seconds=1))
            engine().fire_timers(instance)
    if minutes > 240:
        task = _open_task(session, instance.id)
        if task is None:
            return
        minutes = 240 + rng.choice((30, 60))
    clock.set(created + timedelta(minutes=minutes))
    engine().complete_task(task.id, _outcome(rng), task.assignee_id)


def _history(context: DemoContext) -> int:
    session = context.session
    now = context.clock.now()
    start = now - timedelta(days=21)
    clock = ManualClock(start)
    services = EngineServices.from_registry(installed(), clock, context.settings)

    def engine() -> ProcessEngine:
        return services.engine(session)

    if engine().latest_definition("lead_handling") is None:
        return 0
    rng = random.Random(13)
    for n in range(HISTORY_LEADS):
        clock.set(start + timedelta(hours=n * 20 + rng.randint(0, 6)))
        _one_lead(session, engine, clock, rng, n + 1)
    return HISTORY_LEADS


def seed_studio(context: DemoContext) -> dict[str, int]:
    """Owners, a trigger «Переговоры → перезвонить клиенту», and lead history for the analytics."""
    session = context.session
    if session.scalar(select(ProcessOwner.process_key).limit(1)) is not None:
        return {"process_owners": 0, "lead_history": 0}
    users = {u.login: u for u in session.scalars(select(User))}
    now: datetime = context.clock.now()
    for key, login in OWNERS.items():
        if login in users:
            session.add(ProcessOwner(process_key=key, user_id=users[login].id, updated_at=now))
    session.add(
        ProcessTrigger(
            name="Переговоры по сделке — перезвонить клиенту",
            event="deal.stage_changed",
            action=TriggerAction.START,
            process_key="client_callback",
            condition='to_stage == "negotiation"',
            mapping={
                "company": '"клиент сделки №" + str(deal_id)',
                "assignee": "owner_id",
                "due_in": '"P1D"',
            },
            active=True,
            created_by_id=users["analyst"].id if "analyst" in users else None,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    history = _history(context)
    _feedback(session, now)
    return {"process_owners": len(OWNERS), "lead_history": history}


def _feedback(session: Session, now: datetime) -> None:
    """Two words from managers on handled lead steps (the studio counts them on the diagram)."""
    done = session.scalars(
        select(HumanTask)
        .where(HumanTask.process_key == "lead_handling", HumanTask.status == TaskStatus.COMPLETED)
        .order_by(HumanTask.id)
        .limit(len(_FEEDBACK))
    ).all()
    for task, (kind, text) in zip(done, _FEEDBACK, strict=False):
        instance = session.get(ProcessInstance, task.instance_id)
        version = instance.definition.version if instance else 1
        session.add(StepFeedback(process_key=task.process_key, version=version,
                                 element_id=task.element_id, element_name=task.title, human_task_id=task.id,
                                 kind=kind, text=text, user_id=task.completed_by_id, created_at=now))
    session.flush()
