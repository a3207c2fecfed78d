"""Outgoing e-mail: the SMTP outbox handler and the ``mail.send`` operation."""

from __future__ import annotations

from integrations.mail import operations
from integrations.mail.smtp import send_email
from models.platform.registry import Registry


def register(registry: Registry) -> None:
    registry.outbox_handler("email", send_email)
    operations.register(registry)
