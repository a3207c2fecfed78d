"""``process_event`` rows go in with one statement per flush instead of one per event.

A step appends several events. As ORM objects, SQLite would insert them one at a time
(the ORM needs every new id back, and SQLite cannot return ids of a batch in a guaranteed
order), which was a large share of a step's cost. Nothing reads an event's id in the step
that writes it, so events wait in ``session.info`` and are written with one executemany
when the engine saves the instance (``write_pending``) or the session commits; a rollback
drops them with the transaction. The flushes of a step's service operations (a lead's
matching, routing and notification each flush) no longer write them: one insert per engine
call instead of one per flush (issue 15).
"""

from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, SessionTransaction

from engine.rows import connection
from engine.tables import ProcessEvent

_PENDING = "crm.pending_process_events"
_INSERT = insert(ProcessEvent)  # built once: building it per step costs more than running it


def append(session: Session, row: dict) -> None:
    """Queue one ``process_event`` row (column name -> value) in ``session``."""
    session.info.setdefault(_PENDING, []).append(row)


def write_pending(session: Session) -> None:
    """Insert the queued rows now, in the order they were appended."""
    rows = session.info.pop(_PENDING, None)
    if rows:
        connection(session).execute(_INSERT, rows)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
