"""Activities: calls, meetings, e-mails and notes logged against a client or a deal.

Logging one against a deal moves the deal's ``last_activity_at`` forward, which is what
the "no activity for more than 7 days" flag reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.sales.deals import Deal, DealError

ACTIVITY_KINDS = {"call": "Звонок", "meeting": "Встреча", "email": "E-mail", "note": "Заметка",
                  "complaint": "Жалоба"}  # a complaint weighs in the churn risk of the client's contracts


class Activity(Base):
    __tablename__ = "activity"
    __audited__ = True
    __table_args__ = (Index("ix_activity_deal", "deal_id", "happened_at"),
                      Index("ix_activity_client", "client_id", "happened_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str | None] = mapped_column(Text)
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return ACTIVITY_KINDS.get(self.kind, self.kind)


def log_activity(session: Session, *, kind: str, subject: str, happened_at: datetime | None, now: datetime,
                 user_id: int | None, deal: Deal | None = None, client_id: int | None = None,
                 outcome: str | None = None) -> Activity:
    """Record an activity; a deal's last-activity date moves to the latest one logged."""
    errors: dict[str, list[str]] = {}
    if kind not in ACTIVITY_KINDS:
        errors["kind"] = ["Тип активности: звонок, встреча, e-mail, заметка или жалоба"]
    if not (subject or "").strip():
        errors["subject"] = ["Укажите тему"]
    if deal is None and client_id is None:
        errors["deal_id"] = ["Активность относится к сделке или к клиенту"]
    happened_at = happened_at or now
    if happened_at > now:
        errors.setdefault("happened_at", []).append("Дата активности не может быть в будущем")
    if errors:
        raise DealError(errors)
    activity = Activity(kind=kind, subject=subject.strip(), outcome=(outcome or "").strip() or None,
                        happened_at=happened_at, user_id=user_id, created_at=now,
                        deal_id=deal.id if deal else None,
                        client_id=deal.client_id if deal is not None else client_id)
    session.add(activity)
    if deal is not None and (deal.last_activity_at is None or happened_at > deal.last_activity_at):
        deal.last_activity_at = happened_at
    session.flush()
    return activity
