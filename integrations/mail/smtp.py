"""The SMTP sender behind the outbox: one e-mail row becomes one letter through ``CRM_SMTP_URL``.

Mail is never sent inside a transaction: notifications and ``mail.send`` queue an outbox row;
the outbox worker hands it here after commit. Delivery is at-least-once (a worker killed
while the SMTP server answers slowly sends the row again after its lease); the Message-ID is
made from the row alone (``message_id``), the same on every attempt, so receivers and mail
servers that de-duplicate by Message-ID show the letter once.
"""

from __future__ import annotations

import base64
import smtplib
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import unquote, urlsplit

from models.platform.outbox import OutboxMessage

SMTP_TIMEOUT = 15


def message_id(row: OutboxMessage, sender: str) -> str:
    """The row's own Message-ID: its id and creation time at the sender's domain, never random."""
    domain = sender.rpartition("@")[2] or "crm.local"
    created = int(row.created_at.timestamp()) if row.created_at else 0
    return f"<crm-outbox-{row.id}.{created}@{domain}>"


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    payload = row.payload
    message = EmailMessage()
    message["From"] = formataddr(("CRM", sender))
    message["To"] = ", ".join(payload["to"]) if isinstance(payload["to"], list) else payload["to"]
    message["Subject"] = payload.get("subject", "")
    # A document's sending or a reply from a card brings its own Message-ID (and thread headers,
    # integrations/imap); otherwise the row's stable one, so a resent row keeps its id.
    message["Message-ID"] = payload.get("message_id") or message_id(row, sender)
    for name, value in (payload.get("headers") or {}).items():
        if name in ("In-Reply-To", "References") and value:
            message[name] = value
    message.set_content(payload.get("body", ""))
    if payload.get("html"):  # reports: an HTML part beside the text, and files attached
        message.add_alternative(payload["html"], subtype="html")
    for item in payload.get("attachments") or ():
        maintype, _, subtype = item.get("content_type", "application/octet-stream").partition("/")
        message.add_attachment(base64.b64decode(item["data"]), maintype=maintype, subtype=subtype,
                               filename=item["filename"])
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
