"""Where a user is reached in a messenger: the Telegram chat linked to their account.

A link is made by the Telegram integration when the user sends the bot the one-time code
shown on their notifications page; the ``telegram`` channel (``channels.py``) reads it to
address copies of notifications. Kept here, with the notifications, because «how a user is
reached» is this package's business; the Bot API itself lives in ``integrations/telegram``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session

from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow


class TelegramLink(Base):
    __tablename__ = "telegram_link"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(100))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def telegram_chat(user: User) -> str | None:
    """The chat id of the user's linked Telegram account, or None (read through the user's session)."""
    session = object_session(user)
    if session is None:
        return None
    link = session.get(TelegramLink, user.id)
    return str(link.chat_id) if link is not None else None


def user_of_chat(session: Session, chat_id: int) -> User | None:
    """The active user whose account is linked to this Telegram chat (None: an unlinked account)."""
    link = session.scalar(select(TelegramLink).where(TelegramLink.chat_id == chat_id))
    user = session.get(User, link.user_id) if link is not None else None
    return user if user is not None and user.is_active else None
