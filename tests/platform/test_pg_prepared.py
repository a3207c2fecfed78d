"""PostgreSQL keeps the statements psycopg prepared across a rollback (``models.platform.pg_prepared``).

Without it psycopg deallocates every prepared statement at each ROLLBACK, and SQLAlchemy rolls
back every transaction that did not commit, so a read-only request or a closed session threw
away what the server had planned. A rollback after DDL still forgets them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

pytestmark = pytest.mark.server_db

QUERY = "SELECT count(*) FROM department WHERE id > :floor"


def _prepared(conn) -> list[str]:
    rows = conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
    return [row for row in rows if "department" in row]


def _run_often(conn) -> None:
    for floor in range(6):  # psycopg prepares a statement on its fifth run on a connection
        conn.execute(text(QUERY), {"floor": floor})


def test_a_rollback_keeps_the_prepared_statements(engine):
    with engine.connect() as conn:
        _run_often(conn)
        conn.rollback()
        assert len(_prepared(conn)) == 1
        conn.rollback()
        conn.execute(text(QUERY), {"floor": 7})  # still runs, on the kept statement
        assert len(_prepared(conn)) == 1
        conn.commit()


def test_a_pooled_connection_keeps_them_after_a_read_only_use(engine):
    with engine.connect() as conn:
        _run_often(conn)  # left open: closing the Connection rolls the transaction back
        first = conn.connection.dbapi_connection
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is first
        assert len(_prepared(conn)) == 1


def test_a_rollback_after_ddl_forgets_them(engine):
    with engine.connect() as conn:
        _run_often(conn)
        conn.commit()
        assert len(_prepared(conn)) == 1
        conn.exec_driver_sql("\n    CREATE TABLE prepared_probe (id integer)")  # as a migration's text may be
        conn.rollback()
        assert _prepared(conn) == []
        _run_often(conn)
        conn.rollback()
        assert len(_prepared(conn)) == 1


def test_a_pattern_search_is_never_prepared_and_still_answers(engine):
    """A ``LIKE``/``ILIKE`` statement goes unprepared, so PostgreSQL plans it with its pattern every
    time instead of settling on a generic plan that guesses a handful of matches."""
    with engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO department (code, name) VALUES ('probe_a', 'Отдел продаж'),"
                             " ('probe_b', 'Отдел урегулирования'), ('probe_c', 'Бухгалтерия')")
        for _ in range(12):
            found = conn.execute(text("SELECT count(*) FROM department WHERE code LIKE :p AND name LIKE :n"),
                                 {"p": "probe%", "n": "Отдел%"}).scalar()
            assert found == 2
            found = conn.execute(text("SELECT count(*) FROM department"
                                      " WHERE code LIKE 'probe%' AND name ILIKE :n"), {"n": "%бух%"}).scalar()
            assert found == 1
        _run_often(conn)
        assert _prepared(conn) == [QUERY.replace(":floor", "$1")]
        conn.rollback()
