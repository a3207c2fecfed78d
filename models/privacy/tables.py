"""Tables of the personal-data duties (152-ФЗ): consents and the access log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.platform.db import Base, UTCDateTime

SUBJECT_TYPES = ("client", "lead")


class Consent(Base):
    """A person's consent to the processing of their data: the exact text, when, where from."""

    __tablename__ = "pd_consent"
    __table_args__ = (Index("ix_pd_consent_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    policy_url: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(64))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonalDataAccess(Base):
    """Who opened, exported or erased which person's data, when and why."""

    __tablename__ = "pd_access_log"
    __table_args__ = (Index("ix_pd_access_log_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # view | export | erase | retention
    reason: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
