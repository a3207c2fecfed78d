"""A pooled PostgreSQL connection that the server dropped while it sat idle is replaced unseen.

``models.platform.db_ping`` pings only connections idle for ``IDLE_SECONDS``; the tests end the
pooled connection's backend from another connection, as a server restart or an idle timeout
would. SQLite has no server to lose and nothing is pinged there (``server_db``: PostgreSQL only).
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from models.platform import db_ping
from models.platform.db import db
from tests.conftest import _pg_conninfo

pytestmark = pytest.mark.server_db


def _backend_pid() -> int:
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))
    db.session.commit()
    return pid


def _drop_the_pooled_connection(database_url: str) -> int:
    """Use a connection, return it to the pool, and end its backend from outside; its pid."""
    pid = _backend_pid()
    db.session.remove()
    with psycopg.connect(_pg_conninfo(database_url), autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    return pid


def test_a_connection_dropped_while_idle_is_replaced_before_use(app, database_url, monkeypatch):
    with app.app_context():
        first = _drop_the_pooled_connection(database_url)
        monkeypatch.setattr(db_ping, "IDLE_SECONDS", 0.0)

        second = _backend_pid()

    assert second != first


def test_a_connection_used_a_moment_ago_goes_out_unpinged_and_the_pool_recovers(app, database_url):
    """Without the idle wait nothing pings it: the first use meets the dropped connection and fails,
    then SQLAlchemy invalidates the pool and the next use connects afresh."""
    with app.app_context():
        first = _drop_the_pooled_connection(database_url)

        with pytest.raises(OperationalError):
            _backend_pid()
        db.session.remove()
        second = _backend_pid()

    assert second != first
