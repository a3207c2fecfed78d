"""Counting the SQL statements a piece of work runs, and those SQLAlchemy had to compile for it:
the statement-count guards' helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` sends to the database inside the block, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def compiled_anew(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` runs inside the block that SQLAlchemy compiled for the occasion:
    not found in its cache of compiled statements, or not cacheable at all. A page opened a second
    time should find every statement there; one that is built anew each time (a table object made
    per call, a literal in the statement's shape) costs a full compile on every request."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        hit = getattr(context, "cache_hit", None)
        if hit is not None and hit in (context.dialect.CACHE_MISS, context.dialect.NO_CACHE_KEY):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
