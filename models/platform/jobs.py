"""The job runner: background work in short transactions of its own, safe with several schedulers.

Scheduler jobs (timers, timer starts, retries, the outbox, task alerts, imports) handle
one unit at a time — an instance, a row, a chunk — each in its own ``unit_of_work`` so a
failure of one never undoes another. Several processes may run the same job at once: a row
is claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, and version columns and unique
keys make the loser of a race fail; ``run_unit`` treats such a loss as "someone else did
it", rolls back and moves on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.platform.unit_of_work import unit_of_work

if TYPE_CHECKING:
    from models.platform.clock import Clock
    from models.platform.registry import Registry
    from models.platform.settings import Settings

log = logging.getLogger(__name__)
SessionFactory = Callable[[], Session]
T = TypeVar("T")
# Another worker won the race or the database was busy: not an error, the next tick retries.
LOST_RACE: tuple[type[BaseException], ...] = (StaleDataError, IntegrityError, OperationalError)


@dataclass(frozen=True)
class JobContext:
    """What a scheduler job gets: its own sessions, the clock, the settings and the registry."""

    session_factory: SessionFactory
    clock: Clock
    settings: Settings
    registry: Registry


def run_unit(session_factory: SessionFactory, work: Callable[[Session], T], *,
             lost: tuple[type[BaseException], ...] = (),
             failed: tuple[type[BaseException], ...] = ()) -> T | None:
    """Run ``work`` in a new session and commit it; None when the unit was lost or failed.

    ``lost`` (besides ``LOST_RACE``) are outcomes of a race, logged quietly; ``failed`` are
    expected failures of the work itself, logged with their traceback. Anything else is
    rolled back and raised to the scheduler, which logs it and carries on with the next job.
    """
    with session_factory() as session:
        try:
            with unit_of_work(session):
                return work(session)
        except (*LOST_RACE, *lost) as exc:
            log.info("unit skipped, another worker won or the database was busy: %s", exc)
        except failed:
            log.exception("background unit failed")
    return None


def claim(session: Session, stmt: Select) -> Any:
    """The one row ``stmt`` selects, locked for this transaction where the database can skip locked rows."""
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalar(stmt)
