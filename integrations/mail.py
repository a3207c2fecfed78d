"""E-mail: the SMTP sender behind the outbox, and the ``mail.send`` service-task operation.

Mail is never sent inside a transaction: ``mail.send`` (and notifications) queue an
outbox row; the outbox worker sends it through ``CRM_SMTP_URL`` after commit. The row id
becomes the Message-ID, so a resend after a crash is recognisable as the same letter.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import unquote, urlsplit

from engine.operations import OperationContext, operation
from engine.outbox import register_handler
from models.processes import OutboxMessage

SMTP_TIMEOUT = 15


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    payload = row.payload
    message = EmailMessage()
    message["From"] = formataddr(("CRM", sender))
    message["To"] = ", ".join(payload["to"]) if isinstance(payload["to"], list) else payload["to"]
    message["Subject"] = payload.get("subject", "")
    message["Message-ID"] = make_msgid(idstring=f"crm-outbox-{row.id}", domain="crm.local")
    message.set_content(payload.get("body", ""))
    return message


def send_email(row: OutboxMessage, settings) -> None:
    """Outbox handler: deliver one e-mail through the configured SMTP server."""
    url = urlsplit(settings.smtp_url if settings else "smtp://127.0.0.1:25")
    sender = settings.mail_from if settings else "crm@localhost"
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname or "127.0.0.1", url.port or 25, timeout=SMTP_TIMEOUT) as smtp:
        if url.scheme == "smtp+starttls":
            smtp.starttls()
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(build_message(row, sender))


register_handler("email", send_email)


@operation("mail.send")
def mail_send(context: OperationContext, to: str, subject: str, body: str) -> dict:
    """Queue an e-mail; it leaves only after the process step commits."""
    if "@" not in (to or ""):
        from engine.errors import OperationError

        raise OperationError(f"Неверный адрес получателя: {to!r}")
    row = context.send_later("email", {"to": to, "subject": subject, "body": body})
    context.session.flush()
    return {"queued": True, "outbox_id": row.id}
