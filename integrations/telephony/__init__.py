"""Telephony: Mango Office VPBX signed event webhooks → calls, activities, «Перезвонить», recordings;
click-to-call."""

from __future__ import annotations

from integrations.catalog import Integration, declare
from integrations.telephony import handlers
from integrations.telephony.mango import TelephonyError, telephony_from_settings
from models.platform.registry import Registry


def _check(settings) -> str:
    from integrations.catalog import ConnectionFailed

    try:
        return telephony_from_settings(settings).check()
    except TelephonyError as exc:
        raise ConnectionFailed(exc.message) from None


INTEGRATION = Integration(
    code="telephony",
    title="Телефония (Mango Office ВАТС)",
    settings=("CRM_MANGO_URL", "CRM_MANGO_API_KEY", "CRM_MANGO_API_SALT"),
    configured=lambda s: bool(s.mango_url and s.mango_api_key and s.mango_api_salt),
    check=_check,
    outbox_kinds=("telephony.recording", "telephony.callback"),
    notes="События АТС принимаются на /hooks/mango/events/call, …/summary, …/recording.",
)


def register(registry: Registry) -> None:
    registry.outbox_handler("telephony.recording", handlers.fetch_recording)
    registry.outbox_handler("telephony.callback", handlers.send_callback)
    declare(registry, INTEGRATION)
