"""In-app notifications and the e-mail copy each user chose to get.

``notify`` writes a notification row and, when the user wants this kind by e-mail, an
outbox row in the same transaction: the letter leaves only after commit, is retried by
the outbox worker while the SMTP server is down, and is sent once (the outbox claims rows).
A ``dedupe_key`` (e.g. ``task:5:overdue``) is unique, so a reminder or escalation raced by
two scheduler processes can be stored only once: the loser's transaction rolls back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.outbox import OutboxMessage

KINDS = {
    "task_assigned": "Новая задача для меня",
    "task_reminder": "Напоминание о задаче",
    "task_overdue": "Моя задача просрочена",
    "task_escalated": "Просрочка у моего сотрудника (эскалация)",
    "mention": "Меня упомянули в комментарии",
}
EMAIL_BY_DEFAULT = frozenset({"task_reminder", "task_overdue", "task_escalated", "mention"})


class Notification(Base):
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
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(Base):
    """Whether ``user`` gets notifications of ``kind`` by e-mail (absent row: the default)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)


def email_preferences(session: Session, user_id: int) -> dict[str, bool]:
    """Kind -> wants e-mail, defaults filled in."""
    stored = dict(
        session.execute(
            select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == user_id
            )
        ).all()
    )
    return {kind: stored.get(kind, kind in EMAIL_BY_DEFAULT) for kind in KINDS}


def set_email_preferences(session: Session, user_id: int, wanted: set[str]) -> None:
    """Store the user's choice: e-mail for the kinds in ``wanted``, in-app only for the rest."""
    existing = {
        p.kind: p
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
    }
    for kind in KINDS:
        row = existing.get(kind) or NotificationPreference(user_id=user_id, kind=kind)
        row.email = kind in wanted
        session.add(row)
    session.flush()


def notify(
    session: Session,
    user_id: int,
    kind: str,
    title: str,
    body: str,
    now: datetime,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Add an in-app notification (and an outbox e-mail if wanted); None if already sent."""
    if dedupe_key and session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    row = Notification(
        user_id=user_id,
        kind=kind,
        title=title[:500],
        body=body,
        created_at=now,
        object_type=object_type,
        object_id=object_id,
        dedupe_key=dedupe_key,
    )
    session.add(row)
    session.flush()
    if user.email and email_preferences(session, user_id).get(kind, False):
        row.emailed = True
        session.add(
            OutboxMessage(
                kind="email",
                payload={"to": user.email, "subject": title, "body": body + "\n\n— CRM"},
                dedupe_key=f"notification:{row.id}",
                next_attempt_at=now,
            )
        )
        session.flush()
    return row


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def recent(session: Session, user_id: int, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(session: Session, user_id: int, now: datetime, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all, or those in ``ids``) as read; returns how many."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    return session.execute(stmt.values(read_at=now)).rowcount or 0
