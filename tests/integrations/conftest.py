"""Shared helpers of the integrations' tests: delivering the outbox as the worker does, demo clients."""

from __future__ import annotations

import pytest

from models.clients.demo import ensure_demo_clients
from models.platform.outbox import deliver_due


def deliver(app, clock) -> int:
    """One outbox pass with the app's own handlers and settings (what the worker does each tick)."""
    return deliver_due(
        app.extensions["crm.session_factory"],
        clock,
        app.extensions["crm.settings"],
        handlers=app.extensions["crm.registry"].outbox_handlers,
    )


@pytest.fixture
def demo_clients(session, demo_users):
    """A few of the deterministic demo clients with their contacts."""
    ensure_demo_clients(session, companies=12)
    session.commit()
