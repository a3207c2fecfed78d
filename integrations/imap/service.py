"""What the web layer calls for inbound e-mail: a card's threads, attachments, the triage queue, replies.

Rights: threads are shown with the client's card (who may view the client sees them); an
attachment is served to whoever may view its message's client; the triage queue (letters
from unknown senders) is for those who may edit clients; linking a letter to a client needs
the right to read that client. A reply from a card is queued in the outbox with
In-Reply-To / References and a Message-ID of ours, and stored as an outgoing message of
the thread, so the client's answer to it lands in the same thread.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.imap.importer import thread_activity
from integrations.imap.tables import MailAttachment, MailMessage
from models.clients.access import get_client
from models.identity.users import User
from models.notifications.service import NotificationError, send_email
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied, Permission, can_access, require

TRIAGE_ACTIONS = ("lead", "link", "ignore")


class MailError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Thread:
    key: str
    subject: str
    messages: list[MailMessage]

    @property
    def last(self) -> MailMessage:
        return self.messages[-1]


def threads_of(
    session: Session,
    user: User,
    *,
    client_id: int | None = None,
    deal_id: int | None = None,
    limit: int = 100,
) -> list[Thread]:
    """The e-mail threads of a client's card or a deal, newest first, each with its messages in
    order: those of the newest ``limit`` letters."""
    if deal_id is not None:
        from models.sales.access import get_deal

        get_deal(session, user, deal_id)
        where = MailMessage.deal_id == deal_id
    elif client_id is not None:
        get_client(session, user, client_id)
        where = MailMessage.client_id == client_id
    else:
        return []
    # The newest ``limit`` letters (a client writing for years has thousands), then in the order
    # they came, so each thread reads top to bottom.
    rows = list(session.scalars(
        select(MailMessage).where(where)
        .order_by(MailMessage.received_at.desc(), MailMessage.id.desc()).limit(limit)
    ))
    grouped: OrderedDict[str, list[MailMessage]] = OrderedDict()
    for row in reversed(rows):
        grouped.setdefault(row.thread_key, []).append(row)
    threads = [Thread(k, v[0].subject, v) for k, v in grouped.items()]
    return sorted(threads, key=lambda t: t.last.received_at, reverse=True)


def attachment(session: Session, user: User, attachment_id: int) -> MailAttachment:
    row = session.get(MailAttachment, attachment_id)
    if row is None:
        raise NotFound("Вложение не найдено")
    message = row.message
    if message.client_id is not None:
        get_client(session, user, message.client_id)
    else:
        require(user, Permission.EDIT_CLIENTS)
    return row


@dataclass(frozen=True)
class TriagePage:
    messages: list[MailMessage]


def triage_page(session: Session, user: User, limit: int = 100) -> TriagePage:
    """Letters from unknown senders waiting for a decision (the client to link a letter to is
    picked with a typeahead, never from a list of every client)."""
    require(user, Permission.EDIT_CLIENTS)
    rows = list(
        session.scalars(
            select(MailMessage)
            .where(MailMessage.triage == "pending")
            .order_by(MailMessage.received_at.desc())
            .limit(limit)
        )
    )
    return TriagePage(rows)


def triage(
    session: Session,
    engine: Any,
    user: User,
    message_id: int,
    action: str,
    client_id: int | None,
    now: datetime,
) -> MailMessage:
    """Create a lead from the letter, link it (and its thread) to a client the user may read, or ignore it."""
    require(user, Permission.EDIT_CLIENTS)
    message = session.get(MailMessage, message_id)
    if message is None:
        raise NotFound("Письмо не найдено")
    if message.triage != "pending":
        raise MailError("Письмо уже разобрано")
    if action not in TRIAGE_ACTIONS:
        raise MailError("Выберите: создать лид, привязать к клиенту или игнорировать")
    if action == "link":
        if not client_id:
            raise MailError("Выберите клиента")
        client = get_client(session, user, client_id)
        for row in session.scalars(select(MailMessage).where(MailMessage.thread_key == message.thread_key)):
            row.client_id, row.triage, row.triaged_by_id = client.id, "linked", user.id
            session.flush()
            thread_activity(session, row, now)
    elif action == "lead":
        from models.sales.intake import LeadInvalid, receive_lead

        values = {
            "name": message.from_name or message.from_addr,
            "email": message.from_addr,
            "comment": f"{message.subject}\n\n{message.body}"[:2000],
        }
        try:
            lead = receive_lead(session, engine, values, source="E-mail", user_id=user.id, remote_addr=None)
        except LeadInvalid as exc:
            raise MailError(
                "Лид не создан: " + "; ".join(m for ms in exc.errors.values() for m in ms)
            ) from None
        message.lead_id, message.triage, message.triaged_by_id = lead.id, "lead", user.id
    else:
        message.triage, message.triaged_by_id = "ignored", user.id
    session.flush()
    return message


def reply(
    session: Session, user: User, message_id: int, body: str, now: datetime, mail_from: str
) -> MailMessage:
    """Answer a letter of a client the user may edit: queued for SMTP, kept in the thread."""
    original = session.get(MailMessage, message_id)
    if original is None or original.client_id is None:
        raise NotFound("Письмо не найдено")
    client = get_client(session, user, original.client_id)
    if not can_access(user, client, "edit"):
        raise AccessDenied()
    text = (body or "").strip()
    if not text:
        raise MailError("Напишите текст ответа")
    to = original.from_addr if original.direction == "in" else (original.to_addrs or "")
    subject = original.subject if original.subject.lower().startswith("re:") else f"Re: {original.subject}"
    own_id = f"<crm-{uuid.uuid4().hex}@crm.local>"
    refs = " ".join(x for x in [original.references or "", original.message_id or ""] if x).strip()
    try:
        send_email(
            session,
            to,
            subject,
            text,
            now,
            dedupe_key=f"mail-reply:{own_id}",
            message_id=own_id,
            reply_to={"In-Reply-To": original.message_id or "", "References": refs},
        )
    except NotificationError as exc:
        raise MailError(f"Ответ не отправлен: {exc}") from None
    sent = MailMessage(
        direction="out",
        message_id=own_id,
        in_reply_to=original.message_id,
        references=refs or None,
        thread_key=original.thread_key,
        from_addr=mail_from,
        to_addrs=to,
        subject=subject[:998],
        body=text,
        received_at=now,
        client_id=original.client_id,
        deal_id=original.deal_id,
        activity_id=original.activity_id,
        sent_by_id=user.id,
    )
    session.add(sent)
    session.flush()
    return sent
