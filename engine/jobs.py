"""Background work, one short transaction per unit: due timers, timer starts, auto-retries.

Functions take a ``session_factory`` so each instance is processed in its own unit of
work (``models.platform.jobs.run_unit``, the job runner). Several scheduler processes may
run these at once: on PostgreSQL rows are claimed with ``FOR UPDATE SKIP LOCKED``;
everywhere the instance ``version`` column lets only one of two concurrent steps commit, so
a timer never fires twice, and a process that dies mid-step leaves nothing behind (its
transaction rolls back and the next tick retries).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import ConflictError, EngineError
from engine.ports import EngineServices
from engine.schedules import next_fire_time
from engine.tables import Incident, InstanceStatus, ProcessInstance, ProcessSchedule
from models.platform.jobs import SessionFactory, claim, run_unit


def _unit(session_factory: SessionFactory, work: Callable[[Session], bool]) -> bool:
    """Run ``work`` through the job runner; a lost race or a busy database is not an error."""
    return bool(run_unit(session_factory, work, lost=(ConflictError,), failed=(EngineError,)))


def fire_due_timers(session_factory: SessionFactory, services: EngineServices, limit: int = 200) -> int:
    """Fire timers of instances whose ``next_timer_at`` has passed; returns how many steps ran."""
    now = services.clock.now()
    with session_factory() as session:
        ids = session.scalars(
            select(ProcessInstance.id).where(ProcessInstance.next_timer_at <= now,
                                             ProcessInstance.status.in_(InstanceStatus.ACTIVE))
            .order_by(ProcessInstance.next_timer_at).limit(limit)).all()

    def work_for(instance_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            instance = claim(session, select(ProcessInstance).where(
                ProcessInstance.id == instance_id, ProcessInstance.next_timer_at <= now))
            if instance is None:
                return False
            services.engine(session).fire_timers(instance)
            return True
        return work

    return sum(_unit(session_factory, work_for(i)) for i in ids)


def start_scheduled(session_factory: SessionFactory, services: EngineServices) -> int:
    """Start instances of processes whose timer start event is due."""
    now = services.clock.now()
    with session_factory() as session:
        ids = session.scalars(select(ProcessSchedule.id).where(ProcessSchedule.next_fire_at <= now)).all()

    def work_for(schedule_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            schedule = claim(session, select(ProcessSchedule).where(
                ProcessSchedule.id == schedule_id, ProcessSchedule.next_fire_at <= now))
            if schedule is None:
                return False
            engine = services.engine(session)
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


def retry_due_incidents(session_factory: SessionFactory, services: EngineServices) -> int:
    """Retry transient failures whose back-off has passed."""
    now = services.clock.now()
    with session_factory() as session:
        ids = session.scalars(select(Incident.id).where(
            Incident.status == "open", Incident.next_retry_at <= now)).all()

    def work_for(incident_id: int) -> Callable[[Session], bool]:
        def work(session: Session) -> bool:
            incident = claim(session, select(Incident).where(
                Incident.id == incident_id, Incident.status == "open", Incident.next_retry_at <= now))
            if incident is None:
                return False
            services.engine(session).retry_incident(incident.id, None)
            return True
        return work

    return sum(_unit(session_factory, work_for(i)) for i in ids)
