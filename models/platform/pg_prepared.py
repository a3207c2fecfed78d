"""PostgreSQL keeps its prepared statements across a ROLLBACK.

psycopg prepares a statement on the server once it has run five times on a connection, so
PostgreSQL parses and plans it once instead of on every call (planning was 0.3–0.5 ms of server
CPU per statement of the engine). But psycopg forgets every prepared statement, and the counts
that lead to one, at each ``Connection.rollback()``, and sends ``DEALLOCATE ALL``: it cannot know
whether the transaction created and dropped the objects a statement names. SQLAlchemy rolls back
every transaction that did not commit — each read-only request, each session closed without
writing, the pool's reset — so in the web server and the engine's bench nearly nothing stayed
prepared: the log showed a parse and a plan for every statement of every step.

A prepared statement survives ROLLBACK on the server (it is not transactional). So when the
transaction ran no DDL, the ROLLBACK is sent straight through libpq before SQLAlchemy asks
psycopg for one; psycopg then finds the connection idle and keeps its cache. A transaction that
ran CREATE, ALTER or DROP (a migration, a test building its schema) is rolled back the usual way,
and psycopg drops the statements as before.

A statement that matches a text pattern (``LIKE``, ``ILIKE``: the searches) is never prepared.
Once a prepared statement has run five times, PostgreSQL may keep a generic plan, made without
the parameters' values, and for a pattern it guesses a handful of rows: a manager's name search
then walked the trigram index over every matching client of everyone (1 563 at 200 000 clients,
7.5–14 ms) instead of the manager's own clients by name (1.2 ms) — the plan it picks whenever it
sees the pattern. Sent unprepared, such a statement is planned with its values every time, which
costs 0.2–0.4 ms of planning.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

_DDL_WORDS = ("CREATE", "ALTER", "DROP", "DO")
_RAN_DDL = "crm.ran_ddl"


def _note_ddl(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
              executemany: bool) -> None:
    """Mark the transaction when it changes the schema (its rollback must forget the statements)."""
    if statement[:64].lstrip()[:6].upper().startswith(_DDL_WORDS):  # migrations' SQL may start with a newline
        conn.connection.info[_RAN_DDL] = True


def _rollback_through_libpq(dbapi_connection: Any, info: dict) -> None:
    """Roll back without psycopg's cache flush, unless the transaction changed the schema."""
    if info.pop(_RAN_DDL, False):
        return
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    from psycopg import pq

    if pgconn.transaction_status not in (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR):
        return
    # A failed ROLLBACK (a lost connection) leaves the transaction open for psycopg's own
    # rollback, which follows and reports the failure the usual way.
    with dbapi_connection.lock:
        pgconn.exec_(b"ROLLBACK")


def _on_rollback(conn: Connection) -> None:
    if conn.dialect.name != "postgresql" or conn.invalidated or conn.closed:
        return  # a connection lost mid-transaction is SQLAlchemy's to roll back and replace
    record = conn.connection
    if record.dbapi_connection is not None:
        _rollback_through_libpq(record.dbapi_connection, record.info)


def _on_reset(dbapi_connection: Any, record: Any, reset_state: Any = None) -> None:
    if type(dbapi_connection).__module__.startswith("psycopg"):
        _rollback_through_libpq(dbapi_connection, record.info)


def _on_commit(conn: Connection) -> None:
    """A committed transaction's DDL is the server's to replan, not a reason to forget."""
    if conn.dialect.name == "postgresql" and not conn.invalidated:
        conn.connection.info.pop(_RAN_DDL, None)


def _execute_unprepared(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    """Run a statement that matches a text pattern unprepared (planned with its values); True when
    done here, False to let the dialect run the statement."""
    if "LIKE " not in statement:
        return False
    cursor.execute(statement, parameters, prepare=False)
    return True


def install() -> None:
    """Register the listeners once for every engine and pool (idempotent)."""
    for target, name, listener in ((Engine, "before_cursor_execute", _note_ddl),
                                   (Engine, "rollback", _on_rollback),
                                   (Engine, "commit", _on_commit),
                                   (Pool, "reset", _on_reset),
                                   (PGDialect_psycopg, "do_execute", _execute_unprepared)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
