"""Subscriptions, fan-out of domain events to them, the delivery log and manual redelivery.

``on_event`` is subscribed (``Registry.subscribe``) to every event of the catalogue: in the
unit of work of the change that published it, it adds one delivery and one outbox row per
active subscription listening to that event — nothing leaves before the change commits,
and nothing the receiver does can fail the change.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from integrations.webhooks.safety import UnsafeUrl, check_url
from integrations.webhooks.tables import WebhookDelivery, WebhookSubscription
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.events import EVENTS, DomainEvent
from models.platform.kept import kept, watch
from models.platform.outbox import queue_outbox

KIND = "webhook.delivery"
watch(WebhookSubscription)


class WebhookError(Exception):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def event_choices() -> dict[str, str]:
    return {name: kind.label for name, kind in EVENTS.items()}


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)  # Decimal, date, datetime: as text, exactly


def subscribe(
    session: Session,
    actor: User,
    url: str,
    events: list[str],
    *,
    allow_private: bool,
    description: str | None,
    now: datetime,
) -> WebhookSubscription:
    """Add a subscription; its secret is made here and shown to the admin once on the page."""
    errors: dict[str, str] = {}
    try:
        url = check_url(url, allow_private)
    except UnsafeUrl as exc:
        errors["url"] = exc.message
    unknown = [e for e in events if e not in EVENTS]
    if not events or unknown:
        errors["events"] = "Выберите события из списка"
    if errors:
        raise WebhookError(errors)
    row = WebhookSubscription(
        url=url,
        events=sorted(set(events)),
        secret=secrets.token_hex(24),
        active=True,
        allow_private=allow_private,
        description=(description or "").strip() or None,
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def set_active(session: Session, subscription_id: int, active: bool) -> WebhookSubscription:
    row = session.get(WebhookSubscription, subscription_id)
    if row is None:
        raise NotFound("Подписка не найдена")
    row.active = active
    return row


def _queue(
    session: Session,
    sub: WebhookSubscription | ActiveSubscription,
    event: str,
    data: dict,
    occurred_at: str | None,
    now: datetime,
    redelivery_of: int | None = None,
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        subscription_id=sub.id, event=event, payload=data, created_at=now, redelivery_of=redelivery_of
    )
    session.add(delivery)
    session.flush()
    row = queue_outbox(
        session,
        KIND,
        {
            "delivery_id": delivery.id,
            # stored once with the row, so every retry of this delivery carries the same key
            "idempotency_key": f"crm-webhook-{delivery.id}-{uuid.uuid4().hex}",
            "url": sub.url,
            "secret": sub.secret,
            "allow_private": sub.allow_private,
            "event": event,
            "occurred_at": occurred_at,
            "data": data,
        },
        now,
        dedupe_key=f"{KIND}:{delivery.id}",
    )
    delivery.outbox_id = row.id
    return delivery


@cache
def _active_subscriptions() -> Select[Any]:
    """Built once: every domain event asks it (each lead's intake too); building it cost more than asking."""
    sub = WebhookSubscription
    return select(sub.id, sub.url, sub.secret, sub.allow_private, sub.events).where(sub.active)


@dataclass(frozen=True)
class ActiveSubscription:
    """What a delivery needs of an active subscription, kept between requests (``models.platform.kept``)."""

    id: int
    url: str
    secret: str
    allow_private: bool
    events: frozenset[str]


def _active(session: Session) -> tuple[ActiveSubscription, ...]:
    """Every domain event asks; an administrator changes subscriptions rarely."""
    return kept(session, WebhookSubscription.__tablename__, None, lambda: tuple(
        ActiveSubscription(id_, url, secret, bool(allow_private), frozenset(events or ()))
        for id_, url, secret, allow_private, events in session.execute(_active_subscriptions())))


def on_event(session: Session, event: DomainEvent) -> None:
    """Queue the event for every active subscription listening to it."""
    subs = [sub for sub in _active(session) if event.name in sub.events]
    if not subs:
        return
    data = _json_safe(event.payload)
    for sub in subs:
        _queue(session, sub, event.name, data, event.at.isoformat(), event.at)


def redeliver(session: Session, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Send a logged delivery again, as a new delivery (the receiver sees a new delivery id)."""
    old = session.get(WebhookDelivery, delivery_id)
    if old is None:
        raise NotFound("Доставка не найдена")
    return _queue(session, old.subscription, old.event, old.payload, None, now, redelivery_of=old.id)


@dataclass(frozen=True)
class WebhooksPage:
    subscriptions: list[WebhookSubscription]
    deliveries: list[WebhookDelivery]
    events: dict[str, str]


def webhooks_page(session: Session, limit: int = 50) -> WebhooksPage:
    subs = list(session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))
    deliveries = list(
        session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit))
    )
    return WebhooksPage(subs, deliveries, event_choices())
