"""Telephony tables: calls as the PBX reported them, webhook bodies already seen, extensions of managers.

``telephony_call`` is one call (Mango's ``entry_id``): who called whom, the manager on our
side, the client and deal it was matched to, its times, whether it was missed, the
activity and the «Перезвонить» task it produced (each at most once: the ids are kept
here) and its recording. ``telephony_event_seen`` keeps the hash of every accepted webhook
body, so a replay is refused. ``telephony_extension`` maps a PBX extension to a user.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow

DIRECTIONS = {"in": "Входящий", "out": "Исходящий", "internal": "Внутренний"}


class TelephonyCall(Base):
    __tablename__ = "telephony_call"
    __table_args__ = (
        Index("ix_telephony_call_client", "client_id", "started_at"),
        Index("ix_telephony_call_deal", "deal_id", "started_at"),
        Index("ix_telephony_call_user", "user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(100), unique=True)
    direction: Mapped[str] = mapped_column(String(10), default="in")
    external_number: Mapped[str | None] = mapped_column(String(40))
    extension: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration: Mapped[int] = mapped_column(Integer, default=0)  # seconds of talk
    missed: Mapped[bool] = mapped_column(Boolean, default=False)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id", ondelete="SET NULL"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    recording_id: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User | None] = relationship()

    @property
    def direction_label(self) -> str:
        return DIRECTIONS.get(self.direction, self.direction)

    @property
    def duration_text(self) -> str:
        return f"{self.duration // 60}:{self.duration % 60:02d}"


class TelephonyEventSeen(Base):
    __tablename__ = "telephony_event_seen"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TelephonyExtension(Base):
    __tablename__ = "telephony_extension"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    extension: Mapped[str] = mapped_column(String(20), unique=True)
