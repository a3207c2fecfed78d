"""The application's PostgreSQL cursors build ``description`` when read (``models.platform.pg_cursor``).

It must say exactly what psycopg's own description says, for the result it was taken from,
and SQLAlchemy must work on it whether or not it has the statement's layout cached.
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select, text

from models.identity.users import User
from models.platform.pg_cursor import LazyDescription, LazyDescriptionCursor

pytestmark = pytest.mark.server_db

WIDE = "SELECT id, login, full_name, is_active, created_at, 1.5::numeric AS rate FROM \"user\" ORDER BY id"


def _items(description) -> list[tuple]:
    return [tuple(column) for column in description]


def _stock(dbapi_connection, statement: str) -> list[tuple]:
    with psycopg.Cursor(dbapi_connection) as cursor:
        cursor.execute(statement)
        return _items(cursor.description)


@pytest.fixture
def raw(engine):
    """The psycopg connection under one of the app's pooled connections (rolled back after)."""
    with engine.connect() as conn:
        yield conn.connection.dbapi_connection
        conn.rollback()


def test_the_app_connections_use_the_lazy_cursor(raw):
    assert isinstance(raw.cursor(), LazyDescriptionCursor)


def test_it_describes_a_result_as_psycopg_does(raw, demo_users):
    with raw.cursor() as cursor:
        cursor.execute(WIDE)
        description = cursor.description
        assert isinstance(description, LazyDescription)
        assert len(description) == 6
        assert _items(description) == _stock(raw, WIDE)
        assert [c.name for c in description[1:3]] == ["login", "full_name"]
        assert description[-1].type_display == "numeric"


def test_a_kept_description_still_describes_its_own_result(raw, demo_users):
    with raw.cursor() as cursor:
        cursor.execute(WIDE)
        kept = cursor.description
        cursor.execute("SELECT 42 AS answer")
        assert [c.name for c in cursor.description] == ["answer"]
        assert _items(kept) == _stock(raw, WIDE)  # read only now, after the cursor moved on


def test_no_rows_means_no_description_and_an_empty_select_has_one(raw):
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 5000")
        assert cursor.description is None
        cursor.execute("SELECT")
        assert cursor.description is not None and len(cursor.description) == 0


def test_sqlalchemy_reads_rows_and_keys_through_it(engine, demo_users):
    with engine.connect() as conn:
        result = conn.execute(text(WIDE))  # a text statement: SQLAlchemy reads the names from it
        assert list(result.keys()) == ["id", "login", "full_name", "is_active", "created_at", "rate"]
        rows = result.all()
        assert {row.login for row in rows} >= {"admin", "manager"}
        for _ in range(3):  # compiled and then cached: only the presence of a description is read
            logins = conn.execute(select(User.login).order_by(User.id)).scalars().all()
            assert logins == [row.login for row in rows]
