"""The integrations the admin pages list: one ``Integration`` per outside system, from its ``register``.

Each integration says which settings configure it, whether it is configured, which outbox
kinds carry its outside calls (their failures are its «последние ошибки») and how to
check the connection («Проверить соединение»). ``declare(registry, integration)`` stores
it as a registry service ``integration:<code>``, so the admin pages need no list of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models.platform.registry import Registry, installed

PREFIX = "integration:"


class ConnectionFailed(Exception):
    """The check could not reach the system or was refused; the message is Russian."""


@dataclass(frozen=True)
class Integration:
    """One outside system as the admin sees it."""

    code: str
    title: str
    settings: tuple[str, ...]  # the CRM_* variables that configure it
    configured: Callable[[Any], bool]  # settings -> bool
    check: Callable[[Any], str]  # settings -> a Russian «what answered»; raises ConnectionFailed
    outbox_kinds: tuple[str, ...] = ()
    notes: str = ""
    extra: dict = field(default_factory=dict)


def declare(registry: Registry, integration: Integration) -> None:
    registry.service(PREFIX + integration.code, integration)


def integrations() -> list[Integration]:
    """Every declared integration, in package order."""
    return [v for k, v in installed().services.items() if k.startswith(PREFIX)]  # type: ignore[misc]


def integration(code: str) -> Integration | None:
    found = installed().services.get(PREFIX + code)
    return found if isinstance(found, Integration) else None
