"""Per-address rate limit of the public lead intake, counted in the database.

Counting in a table (one row per address and minute, incremented by a single atomic
upsert) makes the limit hold across gunicorn workers and servers, which an in-memory
counter would not. The count is taken before the lead is looked at, and the caller
keeps it in a unit of work of its own, so a refused request still counts while storing
nothing else, and a flood loses no accepted lead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Integer, String, delete, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.platform.db import Base, UTCDateTime

WINDOW = timedelta(minutes=1)


class IntakeHit(Base):
    __tablename__ = "intake_hit"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)


def _window(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def register_hit(session: Session, address: str, now: datetime) -> int:
    """Count one request from ``address`` in the current minute; returns the count so far."""
    start = _window(now)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = insert(IntakeHit).values(address=address[:64], window_start=start, hits=1)
    stmt = upsert.on_conflict_do_update(index_elements=["address", "window_start"],
                                        set_={"hits": IntakeHit.hits + 1}).returning(IntakeHit.hits)
    hits = session.execute(stmt).scalar_one()
    if hits == 1:  # first hit of a new minute: forget old windows
        session.execute(delete(IntakeHit).where(IntakeHit.window_start < start - WINDOW))
    return hits


def counted_without_waiting_for_disk(session: Session) -> None:
    """Let the transaction that only counts a hit commit without waiting for the WAL flush.

    The counter is a throttle, not business data: on PostgreSQL ``synchronous_commit = off``
    for this one transaction saves a disk flush per lead (about 5 ms on the development
    machine); a database crash may forget the last counts, never a lead, and the data stays
    consistent. Call it first in the unit of work that counts the hit and nothing else.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def allowed(session: Session, address: str, now: datetime, per_minute: int) -> bool:
    """Whether another lead from ``address`` may be accepted this minute."""
    return register_hit(session, address, now) <= per_minute
