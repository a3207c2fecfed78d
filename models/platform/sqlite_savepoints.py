"""A savepoint on SQLite always lies inside the session's transaction.

Python's ``sqlite3`` module (legacy transaction control) opens a transaction only before an
INSERT, UPDATE, DELETE or REPLACE. A ``SAVEPOINT`` sent while none is open — a
``session.begin_nested()`` before the transaction's first write, as the client import, the
insurance import, the discount service and the telephony and Telegram hooks may do — starts a
transaction of its own, and its ``RELEASE`` commits it: the nested work would be durable before
the outer unit of work decides, and a later rollback of that unit (a failed check, a crash)
could not take it back. PostgreSQL has no such gap. So before SQLAlchemy emits a savepoint on
SQLite, the outer transaction is opened if the driver has not opened it yet; the driver sees it
(``in_transaction``) and neither begins again nor skips the final COMMIT or ROLLBACK.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine


def _outer_transaction_first(conn: Connection, name: Any) -> None:
    """Open the SQLite transaction a savepoint is meant to nest in (a no-op elsewhere)."""
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        raw.execute("BEGIN")


def install() -> None:
    """Register the listener once for every engine (idempotent)."""
    if not event.contains(Engine, "savepoint", _outer_transaction_first):
        event.listen(Engine, "savepoint", _outer_transaction_first)
