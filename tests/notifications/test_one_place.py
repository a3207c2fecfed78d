"""Acceptance 5: only the notifications service builds notifications and e-mail outbox rows."""

from __future__ import annotations

import re

from models.platform.settings import PROJECT_ROOT

BUILDS = re.compile(r"Notification\(|OutboxMessage\(")
ALLOWED = {
    "models/notifications/service.py",  # the Notification class, notify(), _queue()
    "models/platform/outbox.py",  # the OutboxMessage class definition
    "engine/operations.py",  # OperationContext.send_later, which refuses e-mail
}


def test_only_the_notifications_service_creates_notification_and_email_outbox_rows():
    found = {
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("models", "engine", "web", "integrations")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if BUILDS.search(path.read_text(encoding="utf-8"))
    }
    assert found <= ALLOWED, sorted(found - ALLOWED)
    assert "models/notifications/service.py" in found
