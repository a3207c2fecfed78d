"""Telegram's own tables: one-time linking codes, approval prompts sent, updates already handled.

``telegram_prompt`` is one approval task offered to one linked user: the chat and message
the buttons are in (known once the user taps), and a decision waiting for its comment
(``pending``) when the process requires one. ``telegram_update_seen`` makes a webhook
update Telegram delivers twice count once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow


class TelegramLinkCode(Base):
    __tablename__ = "telegram_link_code"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TelegramPrompt(Base):
    __tablename__ = "telegram_prompt"
    __table_args__ = (UniqueConstraint("human_task_id", "user_id", name="uq_telegram_prompt_task_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    human_task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    pending: Mapped[str | None] = mapped_column(String(20))  # a decision waiting for its comment
    status: Mapped[str] = mapped_column(String(20), default="sent")  # sent | decided | closed
    result: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TelegramUpdateSeen(Base):
    __tablename__ = "telegram_update_seen"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
