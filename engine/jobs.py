"""Background work, one short transaction per unit: due timers, timer starts, auto-retries.

Functions take a ``session_factory`` so each instance is processed and committed on its
own. Several scheduler processes may run these at once: on PostgreSQL rows are claimed
with ``FOR UPDATE SKIP LOCKED``; everywhere the instance ``version`` column lets only one
of two concurrent steps commit, so a timer never fires twice, and a process that dies
mid-step leaves nothing behind (its transaction rolls back and the next tick retries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.errors import ConflictError, EngineError
from engine.runtime import ProcessEngine
from engine.schedules import next_fire_time
from engine.steps import fire_timers, retry_incident
from models.processes import Incident, InstanceStatus, ProcessInstance, ProcessSchedule

log = logging.getLogger(__name__)
SessionFactory = Callable[[], Session]


def _claim(session: Session, stmt):
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)


def _unit(session_factory: SessionFactory, work: Callable[[Session], bool]) -> bool:
    """Run ``work`` in its own transaction; a lost race or a busy database is not an error."""
    with session_factory() as session:
        try:
            done = work(session)
            session.commit()
            return done
        except (ConflictError, OperationalError) as exc:
            session.rollback()
            log.info("step skipped, another worker won or the database was busy: %s", exc)
            return False
        except EngineError:
            session.rollback()
            log.exception("engine step failed")
            return False


def fire_due_timers(session_factory: SessionFactory, clock: Any, forms_dir: Path,
                    settings: Any = None, limit: int = 200) -> int:
    """Fire timers of instances whose ``next_timer_at`` has passed; returns how many steps ran."""
    now = clock.now()
    with session_factory() as session:
        ids = session.scalars(
            select(ProcessInstance.id).where(ProcessInstance.next_timer_at <= now,
                                             ProcessInstance.status.in_(InstanceStatus.ACTIVE))
            .order_by(ProcessInstance.next_timer_at).limit(limit)).all()

    def work_for(instance_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            instance = _claim(session, select(ProcessInstance).where(
                ProcessInstance.id == instance_id, ProcessInstance.next_timer_at <= now))
            if instance is None:
                return False
            fire_timers(ProcessEngine(session, clock, forms_dir, settings), instance)
            return True
        return work

    return sum(_unit(session_factory, work_for(i)) for i in ids)


def start_scheduled(session_factory: SessionFactory, clock: Any, forms_dir: Path,
                    settings: Any = None) -> int:
    """Start instances of processes whose timer start event is due."""
    now = clock.now()
    with session_factory() as session:
        ids = session.scalars(select(ProcessSchedule.id).where(ProcessSchedule.next_fire_at <= now)).all()

    def work_for(schedule_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            schedule = _claim(session, select(ProcessSchedule).where(
                ProcessSchedule.id == schedule_id, ProcessSchedule.next_fire_at <= now))
            if schedule is None:
                return False
            engine = ProcessEngine(session, clock, forms_dir, settings)
            engine.start(schedule.process_key, {"scheduled_at": schedule.next_fire_at.isoformat()},
                         fire_start_timer=True)
            schedule.last_fired_at = now
            schedule.next_fire_at = next_fire_time(schedule.expression, now)
            if schedule.next_fire_at is not None and schedule.next_fire_at <= now:
                schedule.next_fire_at = None  # a one-off date in the past fires once
            engine.flush()
            return True
        return work

    return sum(_unit(session_factory, work_for(i)) for i in ids)


def retry_due_incidents(session_factory: SessionFactory, clock: Any, forms_dir: Path,
                        settings: Any = None) -> int:
    """Retry transient failures whose back-off has passed."""
    now = clock.now()
    with session_factory() as session:
        ids = session.scalars(select(Incident.id).where(
            Incident.status == "open", Incident.next_retry_at <= now)).all()

    def work_for(incident_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            incident = _claim(session, select(Incident).where(
                Incident.id == incident_id, Incident.status == "open", Incident.next_retry_at <= now))
            if incident is None:
                return False
            retry_incident(ProcessEngine(session, clock, forms_dir, settings), incident.id, None)
            return True
        return work

    return sum(_unit(session_factory, work_for(i)) for i in ids)
