"""``process_event`` rows go in with one statement per flush instead of one per event.

A step appends several events. As ORM objects, SQLite would insert them one at a time
(the ORM needs every new id back, and SQLite cannot return ids of a batch in a guaranteed
order), which was a large share of a step's cost. Nothing reads an event's id in the step
that writes it, so events wait in ``session.info`` and are written with one executemany
when the engine saves the instance (``write_pending``) or the session commits; a rollback
drops them with the transaction. The flushes of a step's service operations (a lead's
matching, routing and notification each flush) no longer write them: one insert per engine
call instead of one per flush (issue 15).

On PostgreSQL the rows go as one JSON parameter of one constant statement
(``json_to_recordset``), not psycopg's executemany, whose pipeline cost about 0.1 ms of CPU
more per step; and when the step saves its instance they ride in the instance UPDATE as a
data-modifying CTE (``engine.rows.update_instance``): one round trip instead of two, each
about 0.15 ms of this process's CPU on the development machine (issue 15).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session, SessionTransaction

from engine import fast_sql
from engine.rows import connection
from engine.tables import ProcessEvent
from models.platform.db import UTCDateTime

_PENDING = "crm.pending_process_events"
_INSERT = insert(ProcessEvent)  # built once: building it per step costs more than running it
_COLUMNS = ("instance_id", "kind", "user_id", "at", "element_id", "element_name", "element_type",
            "duration_ms", "detail")
# PostgreSQL: the rows of one JSON array, inserted in its order (ids follow the appends); no detail
# is stored as JSON null, as SQLAlchemy's JSON type stores None, not as SQL NULL.
PG_INSERT_SQL = """
INSERT INTO process_event
    (instance_id, kind, user_id, at, element_id, element_name, element_type, duration_ms, detail)
SELECT instance_id, kind, user_id, at, element_id, element_name, element_type, duration_ms,
    COALESCE(detail, 'null'::json)
FROM ROWS FROM (json_to_recordset(CAST(:_events AS json)) AS (
    instance_id int, kind text, user_id int, at timestamptz, element_id text, element_name text,
    element_type text, duration_ms float8, detail json
)) WITH ORDINALITY AS r(instance_id, kind, user_id, at, element_id, element_name, element_type,
                        duration_ms, detail, n)
ORDER BY n"""
_PG_INSERT = text(PG_INSERT_SQL)
_UTC = UTCDateTime()


def append(session: Session, row: dict) -> None:
    """Queue one ``process_event`` row (column name -> value) in ``session``."""
    session.info.setdefault(_PENDING, []).append(row)


def take_pending(session: Session) -> list[dict] | None:
    """The queued rows, no longer queued: the caller writes them (``as_json`` on PostgreSQL)."""
    return session.info.pop(_PENDING, None)


def as_json(rows: list[dict]) -> str:
    """The rows as the JSON array ``PG_INSERT_SQL`` reads (times in UTC, like ``UTCDateTime``)."""
    def row(values: dict) -> dict[str, Any]:
        found = {name: values.get(name) for name in _COLUMNS}
        at = _UTC.process_bind_param(found["at"], None)
        found["at"] = at.isoformat() if at is not None else None
        return found

    return json.dumps([row(r) for r in rows])


def write_pending(session: Session) -> None:
    """Insert the queued rows now, in the order they were appended."""
    rows = take_pending(session)
    if rows:
        conn = connection(session)
        if conn.dialect.name == "postgresql":
            fast_sql.execute(conn, _PG_INSERT, {"_events": as_json(rows)}).close()
        else:
            fast_sql.execute_many(conn, _INSERT, rows)  # every row has every column (``Runtime.event``)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
