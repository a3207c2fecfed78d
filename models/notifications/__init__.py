"""Notifications: the one ``notify()`` (in-app, e-mail, later messengers), kinds, channels, preferences.

Other packages call ``models.notifications.service`` only; it is the only code that creates
notification rows and e-mail outbox rows.
"""

from __future__ import annotations

from models.platform.registry import Registry


def register(registry: Registry) -> None:
    """Notifications contribute no operations or jobs: their copies leave through the outbox."""
