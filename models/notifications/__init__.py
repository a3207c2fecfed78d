"""Notifications: in-app messages, e-mail copies through the outbox, each user's preferences."""

from __future__ import annotations

from models.platform.registry import Registry


def register(registry: Registry) -> None:
    """Notifications contribute no operations or jobs yet; e-mail leaves through the outbox."""
