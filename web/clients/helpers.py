"""Small helpers shared by the client views: the registry client, the time zone, template vocabularies."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from integrations.registry.client import Registry, registry_from_settings
from models.clients.cards import CLIENT_KIND_LABELS, CLIENT_STATUSES, REGISTRY_STATUS_LABELS
from models.clients.validation import FIELD_LABELS
from web.formatting import viewer_zone


def registry() -> Registry:
    """The configured registry client, with the timeout from ``CRM_REGISTRY_TIMEOUT`` (tests) or 5 s."""
    settings = current_app.extensions["crm.settings"]
    timeout = float(current_app.config.get("CRM_REGISTRY_TIMEOUT", 5.0))
    return registry_from_settings(settings, timeout=timeout)


def zone() -> ZoneInfo:
    """The current user's time zone (list filters by creation date are days in this zone)."""
    return viewer_zone()


def labels() -> dict[str, Any]:
    """Vocabularies every client template uses."""
    return {"kinds": {k.value: v for k, v in CLIENT_KIND_LABELS.items()},
            "statuses": CLIENT_STATUSES, "registry_statuses": REGISTRY_STATUS_LABELS,
            "field_labels": FIELD_LABELS}
