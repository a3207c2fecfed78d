"""Small helpers shared by the client views: loading a card with its access check, the registry."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import select

from integrations.registry.client import Registry, registry_from_settings
from models.clients.access import assignable_owners
from models.clients.cards import CLIENT_KIND_LABELS, CLIENT_STATUSES, REGISTRY_STATUS_LABELS, Client
from models.clients.duplicates import DuplicateMatch
from models.clients.validation import FIELD_LABELS
from models.identity.users import User
from models.platform.db import db
from models.platform.permissions import can_access, require_access


def get_client(client_id: int, action: str = "view") -> Client:
    """The client, or 404; 403 when the current user may not ``action`` it."""
    client = db.session.get(Client, client_id)
    if client is None:
        abort(404)
    require_access(current_user, client, action)
    return client


def registry() -> Registry:
    """The configured registry client, with the timeout from ``CRM_REGISTRY_TIMEOUT`` (tests) or 5 s."""
    settings = current_app.extensions["crm.settings"]
    timeout = float(current_app.config.get("CRM_REGISTRY_TIMEOUT", 5.0))
    return registry_from_settings(settings, timeout=timeout)


def active_users() -> list[User]:
    """Active employees by name (filter and owner choices)."""
    return list(db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.full_name)))


def owner_choices() -> list[User]:
    """Employees the current user may make responsible for a client."""
    return assignable_owners(current_user, active_users())


def duplicate_view(match: DuplicateMatch) -> dict[str, Any]:
    """A duplicate as the current user may see it: a client of another manager stays anonymous."""
    client = match.client
    visible = can_access(current_user, client, "view")
    return {
        "id": client.id if visible else None,
        "visible": visible,
        "name": client.display_name if visible else "клиент другого менеджера",
        "inn": client.inn if visible else None,
        "owner": client.owner.full_name if client.owner else None,
        "reasons": match.reasons,
        "score": match.score,
        "editable": visible and can_access(current_user, client, "edit"),
    }


def labels() -> dict[str, Any]:
    """Vocabularies every client template uses."""
    return {"kinds": {k.value: v for k, v in CLIENT_KIND_LABELS.items()},
            "statuses": CLIENT_STATUSES, "registry_statuses": REGISTRY_STATUS_LABELS,
            "field_labels": FIELD_LABELS}
