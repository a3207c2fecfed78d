"""``mail.send``: a BPMN service task queues an e-mail that leaves only after the step commits.

The letter goes to any address (a client's, a partner's), so it is not a notification of a
colleague; it is still queued by the notifications service (``send_email``), the one place
that writes e-mail outbox rows.
"""

from __future__ import annotations

from engine.errors import OperationError
from engine.operations import OperationContext
from models.notifications.service import NotificationError, send_email
from models.platform.registry import Registry


def mail_send(context: OperationContext, to: str, subject: str, body: str) -> dict:
    """Queue an e-mail; it leaves only after the process step commits."""
    try:
        row = send_email(
            context.session, to, subject, body, context.clock.now(), instance_id=context.instance_id
        )
    except NotificationError as exc:
        raise OperationError(str(exc)) from None
    return {"queued": True, "outbox_id": row.id}


def register(registry: Registry) -> None:
    """The service-task operations of this module."""
    registry.operation("mail.send", mail_send)
