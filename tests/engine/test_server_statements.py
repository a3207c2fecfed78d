"""PostgreSQL connections prepare no statements on the server (``web._flask_config``).

psycopg prepares a statement after five runs and drops every prepared statement at each
ROLLBACK — every read-only request or session ends with one — sending DEALLOCATE ALL before
the next statement; the engine's steps paid that round trip and the re-planning over and
over (issue 15). ``server_db``: SQLite has no server-side statements.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from engine.tables import ProcessDefinition
from models.platform.db import db

pytestmark = pytest.mark.server_db


def test_repeated_statements_leave_no_prepared_statement_on_the_server(app):
    with app.app_context():
        for _ in range(10):
            db.session.execute(select(ProcessDefinition.id).where(ProcessDefinition.key == "x")).all()
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        db.session.rollback()
    assert prepared == 0
