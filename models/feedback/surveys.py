"""Client surveys: one row per occasion (a won deal, a renewal, a closed request) and its signed link.

A survey row is written in the same transaction as the occasion (the domain event), so a
rolled-back win asks nobody. The letter leaves later (``service.send_due``), because the
link is signed with the secret key and points at the public address, both of which only
the job's settings know. The token is ``<id>.<nonce>.<hmac>``: the HMAC makes it
unforgeable, the nonce (stored) makes an old link of a re-created row worthless, and
``answered_at``/``expires_at`` make it single-use and short-lived.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow

LIFETIME = timedelta(days=14)
LOW_SCORE = 6  # 0…6 are detractors in NPS terms: the senior manager calls the client

PROCESSES = {"sale": "Продажа", "renewal": "Продление", "request": "Запрос в отдел"}


class SurveyStatus:
    QUEUED = "queued"  # waiting for the letter
    SENT = "sent"
    ANSWERED = "answered"
    NO_ADDRESS = "no_address"  # the client has no e-mail: nothing to send


class FeedbackSurvey(Base):
    """A two-question survey (NPS 0–10 and a comment) sent to a client's contact."""

    __tablename__ = "feedback_survey"
    __table_args__ = (
        UniqueConstraint("occasion", "occasion_id", name="uq_feedback_survey_occasion"),
        Index("ix_feedback_survey_status", "status", "id"),
        Index("ix_feedback_survey_client", "client_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occasion: Mapped[str] = mapped_column(String(20))  # deal | request (the record that closed)
    occasion_id: Mapped[int] = mapped_column(Integer)
    process: Mapped[str] = mapped_column(String(20))  # sale | renewal | request (see PROCESSES)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    product: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    nonce: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default=SurveyStatus.QUEUED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))


def new_nonce() -> str:
    return secrets.token_hex(16)


def _signature(secret: str, survey_id: int, nonce: str) -> str:
    message = f"feedback-survey:{survey_id}:{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def sign(secret: str, survey: FeedbackSurvey) -> str:
    return f"{survey.id}.{survey.nonce}.{_signature(secret, survey.id, survey.nonce)}"


def survey_id_of(secret: str, token: str) -> tuple[int, str] | None:
    """(id, nonce) of a well-signed token, None for anything else (a forged or mangled link)."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    survey_id, nonce, signature = int(parts[0]), parts[1], parts[2]
    if not hmac.compare_digest(signature, _signature(secret, survey_id, nonce)):
        return None
    return survey_id, nonce
