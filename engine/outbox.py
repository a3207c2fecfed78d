"""Delivering outbox rows (e-mail, EDO sending, …) after the transactions that queued them.

A row is claimed by moving it to ``sending`` with a lease (``next_attempt_at``) and
committing before the side effect happens, so two workers never send the same row. A
failed delivery goes back to ``pending`` with exponential back-off; after
``MAX_ATTEMPTS`` it is ``failed`` and visible to admins. If a worker dies mid-send the
lease expires and the row is sent again (at-least-once; handlers pass the row id as an
idempotency key, e.g. the e-mail Message-ID).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.processes import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)
Handler = Callable[[OutboxMessage, Any], None]
_HANDLERS: dict[str, Handler] = {}


class TransientDeliveryError(Exception):
    """The receiving side is down or busy; try again later."""


def register_handler(kind: str, handler: Handler) -> None:
    _HANDLERS[kind] = handler


def _claim(session_factory: Callable[[], Session], row_id: int, now) -> bool:
    with session_factory() as session:
        stmt = select(OutboxMessage).where(
            OutboxMessage.id == row_id, OutboxMessage.next_attempt_at <= now,
            OutboxMessage.status.in_(("pending", "sending")))
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        row = session.scalar(stmt)
        if row is None:
            return False
        row.status = "sending"
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        try:
            session.commit()
        except (StaleDataError, OperationalError):
            session.rollback()
            return False
        return True


def _finish(session_factory, row_id: int, now, error: str | None) -> None:
    with session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        if error is None:
            row.status = "sent"
            row.sent_at = now
            row.last_error = None
        else:
            row.last_error = error[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                row.status = "pending"
                row.next_attempt_at = now + timedelta(seconds=30 * 2 ** min(row.attempts - 1, 8))
        session.commit()


def deliver_due(session_factory: Callable[[], Session], clock: Any, settings: Any = None,
                limit: int = 100) -> int:
    """Send due outbox rows; returns how many were delivered."""
    now = clock.now()
    with session_factory() as session:
        ids = session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.status == "pending", OutboxMessage.status == "sending"))
            .order_by(OutboxMessage.id).limit(limit)).all()
    sent = 0
    for row_id in ids:
        if not _claim(session_factory, row_id, now):
            continue
        with session_factory() as session:
            row = session.get(OutboxMessage, row_id)
            session.expunge(row)
        handler = _HANDLERS.get(row.kind)
        try:
            if handler is None:
                raise RuntimeError(f"нет обработчика для «{row.kind}»")
            handler(row, settings)
        except Exception as exc:
            log.warning("outbox %s (%s) failed: %s", row_id, row.kind, exc)
            _finish(session_factory, row_id, clock.now(), f"{type(exc).__name__}: {exc}")
            continue
        _finish(session_factory, row_id, clock.now(), None)
        sent += 1
    return sent
