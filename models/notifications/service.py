"""The one way to tell people something: ``notify`` (colleagues) and ``send_email`` (any address).

``notify`` writes an in-app notification for each recipient and, for every outside channel
the recipient wants this kind by (``preferences``; e-mail today, a messenger later), an
outbox row in the same transaction: the copy leaves only after commit, is retried by the
outbox worker while the server is down, and is sent once (the outbox claims rows).
``send_email`` is for letters to an address that is not a colleague (the ``mail.send``
operation of a process). Both build their outbox rows in ``_queue``, the only code that
creates notification and e-mail outbox rows, so there is one place to look for what leaves.

A ``dedupe_key`` (e.g. ``task:5:overdue``) is stored per recipient and is unique, so a
reminder or escalation raced by two scheduler processes is stored once: the loser's
transaction fails on the key and rolls back. Texts may be functions of the recipient, so
times are shown in each reader's zone (``local_time``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    JSON,
    BindParameter,
    CursorResult,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.identity.users import User
from models.notifications.channels import CHANNELS, Channel
from models.notifications.kinds import KINDS, Kind, alert_kind
from models.notifications.preferences import (
    channels_for,
    email_preferences,
    preferences,
    set_email_preferences,
    set_preferences,
)
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.outbox import OutboxMessage

__all__ = [
    "CHANNELS", "KINDS", "Channel", "Content", "Kind", "Notification", "NotificationError",
    "NotificationsPage", "Recipients", "alert_kind", "email_preferences", "local_time", "mark_read",
    "notifications_page", "notify", "preferences", "recent", "send_email", "set_email_preferences",
    "set_preferences", "unread_count",
]

DEFAULT_ZONE = "Europe/Moscow"
Content = str | Callable[[User], str]  # a fixed text, or one written for each recipient
Recipients = int | None | Iterable[int | None]


class NotificationError(ValueError):
    """A notification that cannot be sent as asked (unknown kind, malformed address)."""


class Notification(Base):
    """One message to one user, shown in the app; ``channels`` lists where copies went."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def emailed(self) -> bool:
        """Whether an e-mail copy was queued (the ✉ mark in the list)."""
        return "email" in (self.channels or [])


def local_time(moment: datetime | None, zone: str | None) -> str:
    """``moment`` as «ДД.ММ.ГГГГ ЧЧ:ММ» in ``zone`` (Europe/Moscow if unknown); «—» when there is none."""
    if moment is None:
        return "—"
    try:
        tz = ZoneInfo(zone or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo(DEFAULT_ZONE)
    return moment.astimezone(tz).strftime("%d.%m.%Y %H:%M")


def _distinct(to: Recipients) -> list[int]:
    if to is None or isinstance(to, int):
        to = [to]
    return list(dict.fromkeys(user_id for user_id in to if user_id is not None))


def _written(text: Content, user: User) -> str:
    return text(user) if callable(text) else text


def _queue(session: Session, outbox_kind: str, payload: dict, now: datetime, *,
           dedupe_key: str | None, instance_id: int | None) -> OutboxMessage:
    """Add one outbox row (a copy of a notification, or a letter); it leaves after commit."""
    row = OutboxMessage(kind=outbox_kind, payload=payload, dedupe_key=dedupe_key,
                        next_attempt_at=now, instance_id=instance_id)
    session.add(row)
    return row


def notify(
    session: Session,
    to: Recipients,
    kind: str,
    title: Content,
    body: Content,
    now: datetime,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    dedupe_key: str | None = None,
    instance_id: int | None = None,
) -> list[Notification]:
    """Tell each active user in ``to`` (ids; ``None`` and repeats are skipped), in the app and by
    the channels they want ``kind`` by; returns the notifications stored now (none if all were sent
    before under ``dedupe_key``). ``instance_id`` links the outbox rows to the process that caused them.
    """
    if kind not in KINDS:
        raise NotificationError(f"Неизвестный вид уведомления «{kind}»")
    made: list[Notification] = []
    for user_id in _distinct(to):
        key = f"{dedupe_key}:{user_id}" if dedupe_key else None
        if key and session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
            continue
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            continue
        # The channels are known before the row is written, so it is inserted with them (no update after).
        # Reading the preferences flushes nothing: what the caller changed (a routed lead) goes out
        # with the notification's own flush below instead of in one more before it.
        with session.no_autoflush:
            wanted = channels_for(session, user_id, kind)
        copies = [(channel, address) for channel in wanted if (address := channel.address(user))]
        row = Notification(user_id=user_id, kind=kind, title=_written(title, user)[:500],
                           body=_written(body, user), created_at=now, object_type=object_type,
                           object_id=object_id, dedupe_key=key, channels=[c.code for c, _ in copies])
        session.add(row)
        session.flush()  # the id names the copies; a duplicate key fails here, before any copy
        for channel, address in copies:
            _queue(session, channel.outbox_kind, channel.payload(address, row.title, row.body, user), now,
                   dedupe_key=f"notification:{row.id}:{channel.code}", instance_id=instance_id)
        made.append(row)
    # The copies are not flushed here: their keys are new (they name the fresh notification), so
    # nothing can fail on them, and they are written with the caller's next flush or its commit.
    return made


def send_email(session: Session, to: str, subject: str, body: str, now: datetime, *,
               instance_id: int | None = None, dedupe_key: str | None = None,
               attachments: list[dict] | None = None, message_id: str | None = None,
               reply_to: dict[str, str] | None = None, html: str | None = None) -> OutboxMessage:
    """Queue a letter to ``to`` (any address, not necessarily a colleague); it leaves after commit.

    ``attachments``: ``{"filename", "content_type", "data"}`` with ``data`` in base64 (a document's
    version goes out as it was when queued); ``message_id``: the Message-ID to send with, kept by
    the caller (documents record it on the sending); ``reply_to`` (``In-Reply-To`` /
    ``References``) keeps a reply in its thread (answers from a card to a client's letter,
    ``integrations/imap``); ``html``: an HTML alternative of ``body`` (reports by e-mail).
    """
    if "@" not in (to or ""):
        raise NotificationError(f"Неверный адрес получателя: {to!r}")
    payload: dict = {"to": to, "subject": subject, "body": body}
    if attachments:
        payload["attachments"] = attachments
    if message_id:
        payload["message_id"] = message_id
    if reply_to:
        payload["headers"] = dict(reply_to)
    if html:
        payload["html"] = html
    row = _queue(session, "email", payload, now, dedupe_key=dedupe_key, instance_id=instance_id)
    session.flush()
    return row


def unread_statement(user_id: int | BindParameter[int]) -> Select:
    """The count of the user's unread notifications, as a statement others may embed (the badges)."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread (the bell in the navigation)."""
    return session.scalar(unread_statement(user_id)) or 0


def recent(session: Session, user_id: int, limit: int = 100) -> list[Notification]:
    """The user's latest notifications, newest first."""
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


@dataclass
class NotificationsPage:
    """The notifications page: the latest notifications and the channel chosen per kind."""

    rows: list[Notification]
    preferences: dict[str, dict[str, bool]]  # kind -> channel code -> wanted


def notifications_page(session: Session, user_id: int) -> NotificationsPage:
    """What the user's notifications page shows (newest first, then the preferences table)."""
    return NotificationsPage(recent(session, user_id), preferences(session, user_id))


def mark_read(session: Session, user_id: int, now: datetime, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or those in ``ids``) as read; returns how many."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    result = cast(CursorResult, session.execute(stmt.values(read_at=now)))
    return result.rowcount or 0
