"""What the SQL statements of a piece of work were: all of them, the ones SQLAlchemy had to compile
for it, or what a test picks of each (its parameters, say), and those a page runs opened warm — the
statement guards' helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.conftest import BROWSER

# pick(statement, parameters, context) -> what to record of the statement, or None to skip it
Pick = Callable[[str, Any, Any], Any]


@contextmanager
def recorded(engine: Engine, pick: Pick) -> Iterator[list[Any]]:
    """What ``pick`` takes of each statement ``engine`` sends to the database inside the block, in order."""
    seen: list[Any] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        taken = pick(statement, parameters, context)
        if taken is not None:
            seen.append(taken)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` sends to the database inside the block, in order."""
    with recorded(engine, lambda statement, parameters, context: statement) as seen:
        yield seen


def _compiled_now(statement: str, parameters: Any, context: Any) -> str | None:
    hit = getattr(context, "cache_hit", None)
    if hit is not None and hit in (context.dialect.CACHE_MISS, context.dialect.NO_CACHE_KEY):
        return statement
    return None


@contextmanager
def compiled_anew(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` runs inside the block that SQLAlchemy compiled for the occasion:
    not found in its cache of compiled statements, or not cacheable at all. A page opened again
    should find every statement there; one that is built anew each time (a table object made per
    call, a literal in the statement's shape) costs a full compile on every request."""
    with recorded(engine, _compiled_now) as seen:
        yield seen


def warm_page(client: Any, engine: Engine, url: str) -> tuple[str, list[str]]:
    """The page at ``url`` opened the second time, as a running server serves it (specs, forms and
    compiled statements already kept), and the statements that second opening ran."""
    client.get(url, headers=BROWSER)
    with counted(engine) as seen:
        answer = client.get(url, headers=BROWSER)
    assert answer.status_code == 200, (url, answer.status_code)
    return answer.get_data(as_text=True), seen
