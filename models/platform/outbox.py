"""The outbox: outside side effects (e-mail, EDO sending, …) delivered after their transaction commits.

A service or an engine step adds an ``OutboxMessage`` in its own transaction; the row
leaves only after that transaction commits. Delivery claims a row by moving it to
``sending`` with a lease (``next_attempt_at``) in a unit of work of its own before the side
effect happens, so two workers never send the same row. A failed delivery goes back to
``pending`` with exponential back-off; after ``MAX_ATTEMPTS`` it is ``failed`` and visible
to admins. If a worker dies mid-send the lease expires and the row is sent again
(at-least-once; handlers pass the row id as an idempotency key, e.g. the e-mail Message-ID).
Handlers are declared per kind in the packages' ``register`` (``Registry.outbox_handler``).
A handler may return a small JSON-able dict — what the other side answered (an HTTP status
and body, a message id) — which is kept in ``result`` for delivery logs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.platform.clock import Clock
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.jobs import SessionFactory, claim, run_unit
from models.platform.registry import OutboxHandler, installed
from models.platform.settings import Settings

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)


class OutboxMessage(Base):
    """An outside side effect (e-mail, EDO sending) to deliver after the transaction commits."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)  # what the handler got back (delivery logs)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


# What a row sends, in Russian, by the first part of its kind («telegram.send» → «Сообщение в Telegram»):
# kinds are codes the packages register, never shown to people as they are.
_KIND_LABELS = {
    "email": "Письмо",
    "telegram": "Сообщение в Telegram",
    "webhook": "Вебхук",
    "telephony": "Телефония",
    "edo": "Отправка в ЭДО",
}


def kind_label(kind: str) -> str:
    """A row's kind as people read it (an unknown kind is just «Отправка»)."""
    return _KIND_LABELS.get(kind.split(".", 1)[0], "Отправка")


def queue_outbox(session: Session, kind: str, payload: dict, now: datetime, *,
                 dedupe_key: str | None = None) -> OutboxMessage:
    """Add an integration's outside call (a PBX command, a webhook, a bot message), sent after commit.

    E-mail is refused here: letters are queued only by the notifications service (``send_email``).
    """
    if kind == "email":
        raise ValueError("e-mail is queued by models.notifications.service.send_email")
    row = OutboxMessage(kind=kind, payload=payload, dedupe_key=dedupe_key, created_at=now,
                        next_attempt_at=now)
    session.add(row)
    session.flush()
    return row


def _claim(session_factory: SessionFactory, row_id: int, now: datetime) -> bool:
    def work(session: Session) -> bool:
        row = claim(session, select(OutboxMessage).where(
            OutboxMessage.id == row_id, OutboxMessage.next_attempt_at <= now,
            OutboxMessage.status.in_(("pending", "sending"))))
        if row is None:
            return False
        row.status = "sending"
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        return True

    return bool(run_unit(session_factory, work))


def _finish(session_factory: SessionFactory, row_id: int, now: datetime, error: str | None,
            result: object = None) -> None:
    def work(session: Session) -> None:
        row = session.get(OutboxMessage, row_id)
        if row is None:
            return
        if isinstance(result, dict):
            row.result = result
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

    run_unit(session_factory, work)


def _loaded(session_factory: SessionFactory, row_id: int) -> OutboxMessage:
    with session_factory() as session:
        row = session.get_one(OutboxMessage, row_id)  # just claimed, so it exists
        session.expunge(row)
        return row


def deliver_due(session_factory: SessionFactory, clock: Clock, settings: Settings | None = None,
                limit: int = 100,
                handlers: Mapping[str, OutboxHandler] | None = None) -> int:
    """Send due outbox rows; returns how many were delivered."""
    handlers = installed().outbox_handlers if handlers is None else handlers
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
        row = _loaded(session_factory, row_id)
        handler = handlers.get(row.kind)
        try:
            if handler is None:
                raise RuntimeError(f"нет обработчика для «{row.kind}»")
            result = handler(row, settings)
        except Exception as exc:
            log.warning("outbox %s (%s) failed: %s", row_id, row.kind, exc)
            _finish(session_factory, row_id, clock.now(), f"{type(exc).__name__}: {exc}",
                    getattr(exc, "result", None))
            continue
        _finish(session_factory, row_id, clock.now(), None, result)
        sent += 1
    return sent
