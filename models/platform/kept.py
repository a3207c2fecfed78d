"""Small settings tables that every write asks, kept in the process between requests.

Why: every published event asked the database for the active studio triggers and webhook
subscriptions, and every notification for its addressee's channel choices — three of a new
lead's seventeen statements, each a round trip to PostgreSQL, for rows an analyst or a user
changes a few times a month.

What is kept is plain records (never ORM objects, which belong to one session), per database
(an ``Engine``), table and key. A copy is right because:

- a change made through the ORM in this process — any session, any thread — drops every copy of
  its table when it is flushed, when a savepoint of it is rolled back and when its transaction
  ends, committed or rolled back
  (so a copy read between the flush and a rollback does not outlive it, and one read by another
  session before the commit is not kept past it);
- a change made by another process (the other gunicorn worker, the scheduler) or by plain SQL
  is seen at the latest ``KEEP_SECONDS`` after it: a copy is read again when it is that old.

The screens that edit these tables read them directly, never through here, so a user who
saved a choice sees it on the next page whichever worker answers; only the firing of a trigger,
a webhook or a notification channel may follow a change made in another process up to
``KEEP_SECONDS`` late.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

KEEP_SECONDS = 2.0
T = TypeVar("T")

_generations: dict[str, int] = {}  # table -> changes seen in this process
_copies: weakref.WeakKeyDictionary[Engine, dict[tuple[str, Hashable], tuple[int, float, Any]]] = (
    weakref.WeakKeyDictionary())
_lock = threading.Lock()
_TOUCHED = "crm.kept.touched"


def kept(session: Session, table: str, key: Hashable, read: Callable[[], T]) -> T:
    """The copy of ``read()`` for ``key`` of ``table``, read again when changed or older than KEEP_SECONDS.

    ``read`` must return plain values (tuples, frozen records), not ORM objects.
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    copies = _copies.get(engine)
    if copies is None:
        with _lock:
            copies = _copies.setdefault(engine, {})
    generation = _generations.get(table, 0)  # taken before the read: a change during it wins
    now = time.monotonic()
    copy = copies.get((table, key))
    if copy is not None and copy[0] == generation and now - copy[1] < KEEP_SECONDS:
        return copy[2]
    value = read()
    copies[(table, key)] = (generation, now, value)
    return value


def _changed(table: str) -> None:
    with _lock:
        _generations[table] = _generations.get(table, 0) + 1


def watch(entity: type) -> None:
    """Drop the copies of ``entity``'s table whenever this process writes it through the ORM."""
    table: str = entity.__table__.name  # type: ignore[attr-defined]

    def written(mapper: Any, connection: Any, target: Any) -> None:
        _changed(table)
        session = Session.object_session(target)
        if session is not None:
            session.info.setdefault(_TOUCHED, set()).add(table)

    for name in ("after_insert", "after_update", "after_delete"):
        event.listen(entity, name, written)


def _rolled_back(session: Session) -> None:
    """A rollback, of a savepoint too, undoes what was read of its writes: drop those copies again.
    The tables stay marked: the outer transaction may still commit writes made before the savepoint."""
    for table in session.info.get(_TOUCHED, ()):
        _changed(table)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction's end (after its commit or rollback): copies read before it are of
    the rows as they were; drop them, and forget the marks."""
    if transaction.parent is None:
        for table in session.info.pop(_TOUCHED, ()):
            _changed(table)


event.listen(Session, "after_rollback", _rolled_back)
event.listen(Session, "after_transaction_end", _transaction_ended)


def forget_all() -> None:
    """Drop every copy (a test that empties the tables under the process's feet)."""
    with _lock:
        for table in list(_generations):
            _generations[table] += 1
        _copies.clear()
