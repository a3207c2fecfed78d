"""Outbound webhooks: the URLs admins subscribed to events, and every delivery of an event to one of them.

A delivery is one event for one subscription; each attempt to send it is the outbox row's
(``outbox_id``: its status, attempts, ``last_error`` and ``result`` — the answer's status and
body — make the delivery log). A manual redelivery is a new delivery of the same event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.outbox import OutboxMessage


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(1000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)  # admin's explicit choice
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_subscription", "subscription_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    redelivery_of: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[WebhookSubscription] = relationship()
    outbox: Mapped[OutboxMessage | None] = relationship()

    @property
    def status_label(self) -> str:
        if self.outbox is None:
            return "—"
        return {"sent": "доставлено", "failed": "не доставлено", "sending": "отправляется"}.get(
            self.outbox.status, "в очереди"
        )
