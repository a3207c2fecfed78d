"""Outbound webhooks: admins subscribe URLs to domain events; signed deliveries through the outbox."""

from __future__ import annotations

from integrations.catalog import Integration, declare
from integrations.webhooks import sender, service
from models.platform.events import EVENTS
from models.platform.registry import Registry


def _check(settings) -> str:
    return "Исходящие вебхуки не требуют соединения: адреса проверяются при каждой доставке"


INTEGRATION = Integration(
    code="webhooks",
    title="Исходящие вебхуки",
    settings=(),
    configured=lambda s: True,
    check=_check,
    outbox_kinds=(service.KIND,),
    notes="Подписи: X-CRM-Signature = sha256=HMAC-SHA256(секрет, «timestamp.тело»).",
)


def register(registry: Registry) -> None:
    for event in EVENTS:
        registry.subscribe(event, service.on_event)
    registry.outbox_handler(service.KIND, sender.deliver)
    declare(registry, INTEGRATION)
