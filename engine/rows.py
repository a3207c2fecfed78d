"""The step's own writes as Core statements: the instance row and its human-task rows.

Why: a step writes one instance row and one or two task rows, and SQLAlchemy's unit of work
(change tracking, dependency sort, one INSERT/UPDATE per object, flush events) cost more
than the database work itself — a cProfile of ``bench_lead`` put a third of a step in
``Session.flush``. Here each write is one prepared Core statement. The ORM objects stay
what callers and pages see: after a statement its values are set on the object as committed
(``set_committed_value``), as if the ORM had flushed them, so nothing is written twice and
later ORM changes to the same object flush against the right version.

Optimistic locking is unchanged: the instance UPDATE names the version it read and bumps it;
no row updated means another step won the race, and the step raises ``ConflictError``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Connection, bindparam, insert, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session
from sqlalchemy.orm.attributes import set_committed_value

from engine import fast_sql
from engine.conflicts import CONFLICT_MESSAGE
from engine.errors import ConflictError
from engine.tables import HumanTask, ProcessInstance, TaskStatus
from models.platform.db import UTCDateTime

_INSTANCE: Any = ProcessInstance.__table__
_TASK: Any = HumanTask.__table__
# Built once: a statement built per call costs several times its execution (coercion, cache key).
_STEP_COLUMNS = ("status", "state_json", "next_timer_at", "completed_at", "updated_at")
_INSERT_INSTANCE = insert(_INSTANCE).returning(_INSTANCE.c.id)
_UPDATE_INSTANCE = update(_INSTANCE).where(
    _INSTANCE.c.id == bindparam("_id"), _INSTANCE.c.version == bindparam("_version")
).values({name: bindparam(name) for name in (*_STEP_COLUMNS, "version")})
_INSERT_TASKS = insert(_TASK)
_FINISH_COLUMNS = ("status", "completed_at", "completed_by_id", "completed_data")
_FINISH_TASK = update(_TASK).where(_TASK.c.id == bindparam("_id")).values(
    {name: bindparam(name) for name in _FINISH_COLUMNS})
_CONNECTION = "crm.engine_connection"
_UTC = UTCDateTime()
OPEN_UUIDS = select(_TASK.c.task_uuid).where(_TASK.c.instance_id == bindparam("instance_id"),
                                             _TASK.c.status == TaskStatus.OPEN)


def plain_session(session: Session | scoped_session) -> Session:
    """The session itself behind a ``scoped_session`` (the web's ``db.session``), which proxies
    queries but not ``get_transaction``."""
    return session() if isinstance(session, scoped_session) else session


def connection(session: Session) -> Connection:
    """The session's connection in its current transaction, asked of the session once per transaction
    (``Session.connection()`` walks the transaction state machine on every call)."""
    session = plain_session(session)
    transaction = session.get_transaction()
    cached = session.info.get(_CONNECTION)
    if transaction is not None and cached is not None and cached[0] is transaction:
        return cached[1]
    conn = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), conn)
    return conn


def _committed(obj: Any, values: dict[str, Any]) -> None:
    for key, value in values.items():
        set_committed_value(obj, key, value)


def insert_instance(session: Session, instance: ProcessInstance, values: dict[str, Any]) -> None:
    """INSERT the new instance with ``values`` (every column but ``id``) and make ``instance`` its
    persistent object in ``session``, with the new id and version 1."""
    values = {**values, "version": 1}
    cursor = fast_sql.execute(connection(session), _INSERT_INSTANCE, values)
    new_id = cursor.fetchone()[0]
    cursor.close()
    for key, value in values.items():
        setattr(instance, key, value)
    instance.id = new_id
    make_transient_to_detached(instance)  # «loaded», no pending INSERT
    session.add(instance)


def update_instance(session: Session, instance: ProcessInstance, values: dict[str, Any],
                    events_json: str | None = None, tasks_json: str | None = None) -> None:
    """UPDATE the step's columns (all of ``_STEP_COLUMNS``) if the row still has the version read.

    PostgreSQL only: ``events_json``, ``process_event`` rows (``engine.event_log.as_json``), and
    ``tasks_json``, new ``human_task`` rows (``tasks_as_json``), are inserted by the same statement."""
    version = instance.version
    values = {**values, "version": version + 1}
    params = {**values, "_id": instance.id, "_version": version}
    statement = _UPDATE_INSTANCE
    if events_json is not None or tasks_json is not None:
        statement = _update_with(events_json is not None, tasks_json is not None)
        if events_json is not None:
            params["_events"] = events_json
        if tasks_json is not None:
            params["_tasks"] = tasks_json
    cursor = fast_sql.execute(connection(session), statement, params)
    updated = cursor.rowcount
    cursor.close()
    if updated != 1:
        raise ConflictError(CONFLICT_MESSAGE)
    _committed(instance, values)


# PostgreSQL: new human-task rows from one JSON parameter, typed by the table's own row type (the
# names are the table's own columns, not input).
_TASK_COLUMNS = ", ".join(c.name for c in _TASK.c if c.name != "id")
PG_INSERT_TASKS_SQL = (f"INSERT INTO human_task ({_TASK_COLUMNS}) SELECT {_TASK_COLUMNS} "  # noqa: S608
                       "FROM json_populate_recordset(NULL::human_task, CAST(:_tasks AS json))")


@cache
def _update_with(events: bool, tasks: bool) -> Any:
    """PostgreSQL: the instance UPDATE with the step's events and new task rows inserted by CTEs
    (one round trip instead of up to three)."""
    from engine.event_log import PG_INSERT_SQL  # event_log builds on this module

    statement = _UPDATE_INSTANCE
    if events:
        statement = statement.add_cte(text(PG_INSERT_SQL).columns().cte("step_events"))
    if tasks:
        statement = statement.add_cte(text(PG_INSERT_TASKS_SQL).columns().cte("step_tasks"))
    return statement


def _utc_text(value: datetime) -> str:
    """ISO text in UTC; a naive time is refused, as the column refuses it."""
    return cast(datetime, _UTC.process_bind_param(value, None)).isoformat()


def tasks_as_json(rows: list[dict[str, Any]]) -> str:
    """New task rows (column name -> value) as the JSON array ``PG_INSERT_TASKS_SQL`` reads; times
    in UTC, as ``UTCDateTime`` stores them; absent columns are NULL, as in the INSERT."""
    def row(values: dict[str, Any]) -> dict[str, Any]:
        return {name: _utc_text(value) if isinstance(value, datetime) else value
                for name, value in values.items()}

    return json.dumps([row(r) for r in rows], ensure_ascii=False)


def insert_tasks(session: Session, rows: list[dict[str, Any]]) -> None:
    """INSERT new human-task rows (column name -> value) in one statement."""
    if rows:
        fast_sql.execute_many(connection(session), _INSERT_TASKS, rows)


def finish_task(session: Session, row: HumanTask, values: dict[str, Any]) -> None:
    """UPDATE one human-task row's ``_FINISH_COLUMNS`` (completing it) and its loaded object."""
    fast_sql.execute(connection(session), _FINISH_TASK, {**values, "_id": row.id}).close()
    _committed(row, values)


def close_tasks(session: Session, instance_id: int, uuids: Iterable[str], now: datetime) -> None:
    """Cancel the open rows of tasks no longer ready (a boundary event took the token away, say)."""
    uuids = sorted(uuids)
    if not uuids:
        return
    values = {"status": TaskStatus.CANCELLED, "completed_at": now}
    connection(session).execute(update(_TASK).where(
        _TASK.c.instance_id == instance_id, _TASK.c.task_uuid.in_(uuids),
        _TASK.c.status == TaskStatus.OPEN).values(values))
    closing = set(uuids)
    for obj in list(session.identity_map.values()):  # loaded rows show what the database now holds
        loaded = vars(obj)  # expired attributes are read from the database anyway: no lazy loads here
        if isinstance(obj, HumanTask) and loaded.get("instance_id") == instance_id \
                and loaded.get("task_uuid") in closing and loaded.get("status") == TaskStatus.OPEN:
            _committed(obj, values)
