"""The company registry (DaData-compatible): the HTTP client and the ``registry.lookup_company`` operation."""

from __future__ import annotations

from integrations.registry import operations
from integrations.registry.refresh import registry_refresh
from models.platform.registry import Registry


def register(registry: Registry) -> None:
    operations.register(registry)
    registry.job("registry_refresh", registry_refresh)
