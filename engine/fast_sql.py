"""The step's constant statements, run on the DB-API cursor of the session's connection.

Why: a step runs the same few Core statements every time (the instance's INSERT and UPDATE,
the task rows, the events). SQLAlchemy's execution path spends on each call what the
statement already knows — the compiled-cache look-up, an execution context, the parameter
dictionaries rebuilt per call, a result object — about 80 µs per statement on the development
machine, against about 28 µs for the database's own work through the cursor (issue 15).
Here each statement is compiled once per dialect and set of parameter names, with its
positional order and SQLAlchemy's own bind processors (dates in UTC, JSON), and runs through
``Connection._cursor_execute``: SQLAlchemy's own path for a statement on a cursor, so the
listeners of every statement (the statement counts, ``Server-Timing``, PostgreSQL's DDL note)
see it and a driver error becomes SQLAlchemy's exception as before. Only statements whose
every column is a parameter belong here: nothing fills column defaults on this path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement


class _Compiled(NamedTuple):
    statement: ClauseElement  # held, so its id() names it as long as the entry lives
    sql: str
    names: tuple[str, ...] | None  # positional order; None for named parameters
    processors: dict[str, Callable[[Any], Any]]
    result_types: tuple[Any, ...]  # SQLAlchemy type of each selected column, in order


_compiled: dict[tuple[int, str, str, str, tuple[str, ...]], _Compiled] = {}
_lock = threading.Lock()


def _compile(conn: Connection, statement: ClauseElement, keys: tuple[str, ...]) -> _Compiled:
    dialect = conn.dialect
    key = (id(statement), dialect.name, dialect.driver, dialect.paramstyle, keys)
    found = _compiled.get(key)
    if found is None:
        compiled: Any = statement.compile(dialect=dialect, column_keys=list(keys))
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("statements expanded per call do not belong to the fast path")
        processors = dict(compiled._bind_processors)
        names = tuple(compiled.positiontup) if compiled.positional else None
        escaped = compiled.escaped_bind_names
        if escaped:
            raise ValueError("escaped parameter names do not belong to the fast path")
        result_types = tuple(entry.type for entry in compiled._result_columns)
        found = _Compiled(statement, compiled.string, names, processors, result_types)
        with _lock:
            _compiled[key] = found
    return found


def _arguments(compiled: _Compiled, params: dict[str, Any]) -> Any:
    processors = compiled.processors
    if compiled.names is None:
        return {name: processors[name](value) if name in processors else value
                for name, value in params.items()}
    return tuple(processors[name](params[name]) if name in processors else params[name]
                 for name in compiled.names)


def execute(conn: Connection, statement: ClauseElement, params: dict[str, Any]) -> Any:
    """Run ``statement`` with ``params`` (every parameter it names); the DB-API cursor, for
    ``rowcount`` and the ``RETURNING`` row. The caller closes it."""
    compiled = _compile(conn, statement, tuple(params))
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    conn._cursor_execute(cursor, compiled.sql, _arguments(compiled, params))
    return cursor


_Readers = tuple[Callable[[Any], Any] | None, ...]
_readers: dict[tuple[int, str, str], _Readers] = {}


def _row_readers(conn: Connection, compiled: _Compiled, cursor: Any) -> _Readers:
    """SQLAlchemy's result processor of each column (None: the driver's value as is), as its own
    result would pick them: by the column's type and the driver's type code of the column.

    Asked once per statement and driver: a statement's columns and their types are the schema's,
    the same on every execution, and ``cursor.description`` is not free (psycopg builds a column
    object per column on every read: 51 of them for a task with its instance and version)."""
    key = (id(compiled.statement), conn.dialect.name, conn.dialect.driver)
    found = _readers.get(key)
    if found is None:
        codes = tuple(column[1] for column in cursor.description)
        found = tuple(type_._cached_result_processor(conn.dialect, code)
                      for type_, code in zip(compiled.result_types, codes, strict=True))
        with _lock:
            _readers[key] = found
    return found


def first_row(conn: Connection, statement: ClauseElement, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """The first row of the SELECT ``statement`` with ``params`` (every parameter it names), its
    values as SQLAlchemy's own result would give them (dates in UTC, JSON parsed), or None."""
    compiled = _compile(conn, statement, tuple(params))
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        conn._cursor_execute(cursor, compiled.sql, _arguments(compiled, params))
        row = cursor.fetchone()
        if row is None:
            return None
        readers = _row_readers(conn, compiled, cursor)
    finally:
        cursor.close()
    return tuple(value if read is None else read(value)
                 for read, value in zip(readers, row, strict=True))


def execute_many(conn: Connection, statement: ClauseElement, rows: Sequence[dict[str, Any]]) -> None:
    """Run ``statement`` once per row (every row with the same keys) as one ``executemany``,
    with the listeners and error handling of ``Connection._cursor_execute``. One row is one
    ``execute``: psycopg's ``executemany`` sets up a pipeline even for a single row."""
    if len(rows) == 1:
        execute(conn, statement, rows[0]).close()
        return
    compiled = _compile(conn, statement, tuple(rows[0]))
    arguments = [_arguments(compiled, row) for row in rows]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    sql = compiled.sql
    try:
        if conn._has_events or conn.engine._has_events:
            for listener in conn.dispatch.before_cursor_execute:
                sql, arguments = listener(conn, cursor, sql, arguments, None, True)
        conn.dialect.do_executemany(cursor, sql, arguments, None)
        if conn._has_events or conn.engine._has_events:
            conn.dispatch.after_cursor_execute(conn, cursor, sql, arguments, None, True)
    except BaseException as exc:
        conn._handle_dbapi_exception(exc, sql, arguments, cursor, None)
    finally:
        cursor.close()
