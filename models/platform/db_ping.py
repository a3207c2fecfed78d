"""Ping a pooled database connection only when it sat idle, not on every checkout.

SQLAlchemy's ``pool_pre_ping`` asks the server ``SELECT 1`` each time a request, job or engine
call takes a connection: on PostgreSQL here 0.5 ms of CPU and 2.2 ms of wall time per checkout,
paid by every page and every process step (``bench/engine.py``). What the ping guards against is
a connection the server dropped while it waited in the pool (a database restart, an idle
timeout, a firewall). A connection checked in a moment ago is very unlikely to be one of those,
so it goes out without a ping; one idle for ``IDLE_SECONDS`` or longer is pinged, and a dead
one is replaced before anyone uses it (``DisconnectionError`` makes the pool retry with a fresh
connection).

What is given up: if the server restarts while connections are busy, the request that meets a
dead connection fails once; SQLAlchemy then invalidates every connection of the pool made
before it, so the next requests connect afresh.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.pool import Pool

IDLE_SECONDS = 5.0
_CHECKED_IN = "crm_checked_in_at"


def install() -> None:
    """Listen on every pool (once per process, whatever the number of apps)."""
    for name, listener in (("checkin", _remember_checkin), ("checkout", _ping_if_idle)):
        if not event.contains(Pool, name, listener):
            event.listen(Pool, name, listener)


def _remember_checkin(dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_CHECKED_IN] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Ping a server connection that waited ``IDLE_SECONDS`` in the pool; files are never pinged."""
    since = record.info.get(_CHECKED_IN)
    if since is None or time.monotonic() - since < IDLE_SECONDS:
        return
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception as error:  # any driver's «connection is gone»: replace it
        raise exc.DisconnectionError(f"соединение с базой потеряно: {error}") from error
