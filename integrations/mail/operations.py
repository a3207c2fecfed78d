"""``mail.send``: a BPMN service task queues an e-mail that leaves only after the step commits."""

from __future__ import annotations

from engine.errors import OperationError
from engine.operations import OperationContext
from models.platform.registry import Registry


def mail_send(context: OperationContext, to: str, subject: str, body: str) -> dict:
    """Queue an e-mail; it leaves only after the process step commits."""
    if "@" not in (to or ""):
        raise OperationError(f"Неверный адрес получателя: {to!r}")
    row = context.send_later("email", {"to": to, "subject": subject, "body": body})
    context.session.flush()
    return {"queued": True, "outbox_id": row.id}


def register(registry: Registry) -> None:
    """The service-task operations of this module."""
    registry.operation("mail.send", mail_send)
