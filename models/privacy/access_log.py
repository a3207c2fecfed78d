"""The personal-data access log: who opened which person's card (152-ФЗ), written by the cards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.platform.clock import current_clock
from models.privacy.tables import PersonalDataAccess


def log_access(session: Session, user_id: int | None, subject_type: str, subject_id: int,
               action: str = "view", *, reason: str | None = None, now: datetime | None = None) -> None:
    """Append one entry (in the caller's unit of work)."""
    session.add(PersonalDataAccess(user_id=user_id, subject_type=subject_type, subject_id=subject_id,
                                   action=action, reason=(reason or "")[:500] or None,
                                   at=now or current_clock().now()))
