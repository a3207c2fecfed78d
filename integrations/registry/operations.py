"""``registry.lookup_company``: the company registry as a BPMN service task.

An outage or a timeout of the registry is a transient failure, so the engine retries the
step with back-off instead of failing the process; a malformed INN or a refused key is
permanent and opens an incident for a person to look at.
"""

from __future__ import annotations

import dataclasses

from engine.errors import OperationError
from engine.operations import OperationContext
from integrations.registry.client import (
    DEFAULT_TIMEOUT,
    WARNING_STATUSES,
    RegistryError,
    lookup_company,
    registry_from_settings,
)
from models.platform.registry import Registry


def registry_lookup(context: OperationContext, inn: str) -> dict:
    """What the registry knows about ``inn``; ``flagged`` when it is liquidated or bankrupt."""
    extra = getattr(context.settings, "extra", None) or {}
    timeout = float(extra.get("CRM_REGISTRY_TIMEOUT", DEFAULT_TIMEOUT))
    try:
        info = lookup_company(registry_from_settings(context.settings, timeout=timeout), str(inn))
    except RegistryError as exc:
        raise OperationError(exc.message, transient=exc.retryable) from None
    if info is None:
        return {"found": False, "flagged": False}
    return {"found": True, "flagged": info.status in WARNING_STATUSES, **dataclasses.asdict(info)}


def register(registry: Registry) -> None:
    """The service-task operations of this module."""
    registry.operation("registry.lookup_company", registry_lookup)
