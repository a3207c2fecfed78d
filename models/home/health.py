"""The administrator's home: is the system healthy — incidents, failing outbox rows, scheduler lag, deploys.

No other package reads these across the engine and the platform at once, so the queries live
here; each is one bounded statement.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.tables import Incident, ProcessDefinition, ProcessInstance
from models.home.sections import SECTION_ROWS, Home, Row, Section, first_to_do
from models.identity.users import User
from models.platform.durations import duration_text
from models.platform.outbox import OutboxMessage, kind_label

LAG_WARNING = timedelta(minutes=5)  # the scheduler ticks every few seconds: minutes behind is a problem


def lag_text(lag: timedelta | None) -> str:
    """«нет отставания», «3 мин», «2 ч 5 мин»."""
    if lag is None or lag <= timedelta(0):
        return "нет отставания"
    return duration_text(lag)


def _incidents(session: Session, now: datetime) -> Section:
    opened = Incident.status == "open"
    count = session.scalar(select(func.count()).select_from(Incident).where(opened)) or 0
    rows = [
        Row(
            f"{i.element_name or i.element_id}: {i.error[:160]}",
            "process_instance",
            i.instance_id,
            f"попыток: {i.attempts} из {i.max_attempts}",
            i.created_at,
            True,
        )
        for i in session.scalars(
            select(Incident).where(opened).order_by(Incident.created_at.desc()).limit(SECTION_ROWS)
        )
    ]
    return Section(
        "incidents",
        "Инциденты процессов",
        rows,
        "Открытых инцидентов нет — процессы идут.",
        count=count,
        more=("processes.instances", {"status": "error"}),
    )


def _outbox(session: Session) -> Section:
    failed = OutboxMessage.status == "failed"
    count = session.scalar(select(func.count()).select_from(OutboxMessage).where(failed)) or 0
    rows = [
        Row(
            f"{kind_label(m.kind)}: {(m.last_error or 'ошибка')[:160]}",
            note=f"попыток: {m.attempts}",
            due_at=m.created_at,
            late=True,
        )
        for m in session.scalars(
            select(OutboxMessage).where(failed).order_by(OutboxMessage.id.desc()).limit(SECTION_ROWS)
        )
    ]
    return Section(
        "outbox",
        "Исходящие с ошибками",
        rows,
        "Все письма и отправки доставлены.",
        count=count,
        more=("integrations.index", {}),
    )


def _scheduler(session: Session, now: datetime) -> Section:
    """How far behind the scheduler is: the oldest timer and the oldest delivery that are already due."""
    timers, oldest_timer = session.execute(
        select(func.count(), func.min(ProcessInstance.next_timer_at)).where(
            ProcessInstance.next_timer_at <= now
        )
    ).one()
    waiting, oldest_row = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now
        )
    ).one()
    timer_lag = now - oldest_timer if oldest_timer else None
    outbox_lag = now - oldest_row if oldest_row else None
    rows = [
        Row(
            f"Таймеры отстают на {lag_text(lag)}"
            if name == "timers"
            else f"Доставка отстаёт на {lag_text(lag)}",
            note=f"ждут: {n}",
            late=True,
        )
        for name, lag, n in (("timers", timer_lag, timers), ("outbox", outbox_lag, waiting))
        if lag is not None and lag > LAG_WARNING
    ]
    return Section(
        "scheduler",
        "Планировщик",
        rows,
        "Планировщик успевает: отставания нет.",
        count=len(rows),
        figures=[
            ("Просроченные таймеры", f"{timers} · {lag_text(timer_lag)}"),
            ("Исходящие в очереди", f"{waiting} · {lag_text(outbox_lag)}"),
        ],
    )


def _deploys(session: Session) -> Section:
    latest = session.scalars(
        select(ProcessDefinition)
        .order_by(ProcessDefinition.deployed_at.desc(), ProcessDefinition.id.desc())
        .limit(SECTION_ROWS)
    )
    rows = [
        Row(
            f"{d.name} — версия {d.version}",
            due_at=d.deployed_at,
            note=d.source_file,
            page=("studio.analytics", {"key": d.key}),
        )
        for d in latest
    ]
    return Section(
        "deploys",
        "Последние развёртывания",
        rows,
        "Процессы ещё не развёрнуты: выполните «crm deploy».",
        more=("processes.index", {}),
    )


def admin_home(session: Session, user: User, now: datetime) -> Home:
    sections = [_incidents(session, now), _outbox(session), _scheduler(session, now), _deploys(session)]
    problems = [s for s in sections[:3] if s.rows]
    step = first_to_do(problems, "Система здорова: инцидентов, ошибок доставки и отставания нет.")
    return Home(user.role, "Состояние системы", step, sections)
