"""One RFC 822 message → what we keep: addresses, subject, the text body, thread headers, attachments.

Parsed with the standard library's ``email`` package (policy ``default``: decoded headers,
MIME walking); HTML-only letters keep their text with the tags stripped by ``nh3``.
Nothing from the letter is trusted as markup: pages escape it.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

import nh3

from models.clients.phones import normalize_email

MAX_BODY = 100_000
MAX_ATTACHMENT = 20 * 1024 * 1024
_ID_RE = re.compile(r"<[^<>\s]+>")


@dataclass
class Parsed:
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    from_addr: str
    from_name: str | None
    to_addrs: str
    subject: str
    body: str
    date: datetime | None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


def _ids(value: str | None) -> list[str]:
    return _ID_RE.findall(value or "")


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    if part.get_content_type() == "text/html":
        text = nh3.clean(text, tags=set())
    return str(text)[:MAX_BODY]


def parse(raw: bytes) -> Parsed:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    name, addr = parseaddr(str(message.get("From", "")))
    try:
        date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    attachments = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if isinstance(data, bytes) and len(data) <= MAX_ATTACHMENT:
            attachments.append((part.get_filename() or "вложение", part.get_content_type(), data))
    ids = _ids(str(message.get("Message-ID", "")))
    to = ", ".join(a for _, a in getaddresses([str(message.get("To", "")), str(message.get("Cc", ""))]) if a)
    return Parsed(
        message_id=ids[0] if ids else None,
        in_reply_to=(_ids(str(message.get("In-Reply-To", ""))) or [None])[0],
        references=_ids(str(message.get("References", ""))),
        from_addr=normalize_email(addr) or addr.strip().lower(),
        from_name=name or None,
        to_addrs=to,
        subject=str(message.get("Subject", "") or "").strip()[:998],
        body=_body(message),
        date=date if date is None or date.tzinfo else None,
        attachments=attachments,
    )
