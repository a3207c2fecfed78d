"""The ``imap.fetch`` job: new messages of every mailbox → e-mail threads on clients, or the triage queue.

Per mailbox, per message, one unit of work: the message row (unique by mailbox +
UIDVALIDITY + UID), its attachments, its thread's activity and the mailbox's last UID are
committed together, so a crash or a restart re-reads at most the message it was on and
imports nothing twice. A new UIDVALIDITY (the server renumbered the folder) starts the
folder over; messages already imported are then recognised by their Message-ID.

Matching: the sender's address against every client's and contact's e-mail (the client
index). A reply (In-Reply-To / References naming a message we know — received or sent
from the CRM) joins that thread: its client, deal and activity. A known sender starts a
thread with one «E-mail» activity on the client (and its open deal). Anyone else waits in
the triage queue (create a lead, link to a client, ignore).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.imap.client import MailboxError, MailboxUrl, mailbox_urls, reader_for
from integrations.imap.parsing import Parsed, parse
from integrations.imap.tables import MailAttachment, MailFolderState, MailMessage
from integrations.status import record
from models.clients.index import ContactPoint
from models.platform.jobs import JobContext, run_unit
from models.sales.activities import log_activity
from models.sales.deals import Deal, DealStatus

log = logging.getLogger(__name__)
SYSTEM = "imap"
PER_RUN = 200


def _thread_parent(session: Session, parsed: Parsed) -> MailMessage | None:
    for ref in [parsed.in_reply_to, *reversed(parsed.references)]:
        if ref:
            found = session.scalar(
                select(MailMessage).where(MailMessage.message_id == ref).order_by(MailMessage.id).limit(1)
            )
            if found is not None:
                return found
    return None


def thread_activity(session: Session, message: MailMessage, now: datetime) -> None:
    """Give a matched message its thread's activity (one per thread), creating it for a new thread."""
    if message.client_id is None or message.activity_id is not None:
        return
    sibling = session.scalar(
        select(MailMessage.activity_id)
        .where(MailMessage.thread_key == message.thread_key, MailMessage.activity_id.is_not(None))
        .limit(1)
    )
    if sibling is not None:
        message.activity_id = sibling
        return
    if message.deal_id is None:
        message.deal_id = session.scalar(
            select(Deal.id)
            .where(Deal.client_id == message.client_id, Deal.status == DealStatus.OPEN)
            .order_by(Deal.last_activity_at.desc().nulls_last(), Deal.id.desc())
            .limit(1)
        )
    deal = session.get(Deal, message.deal_id) if message.deal_id else None
    activity = log_activity(
        session,
        kind="email",
        subject=f"Письмо: {message.subject or '(без темы)'}"[:300],
        outcome=f"От {message.from_addr}",
        happened_at=min(message.received_at, now),
        now=now,
        user_id=message.sent_by_id,
        deal=deal,
        client_id=message.client_id,
    )
    message.activity_id = activity.id


def import_message(
    session: Session, mailbox: str, uidvalidity: int, uid: int, raw: bytes, now: datetime
) -> MailMessage | None:
    """Store one fetched message (None when this Message-ID came through this mailbox before)."""
    parsed = parse(raw)
    if (
        parsed.message_id
        and session.scalar(
            select(MailMessage.id).where(
                MailMessage.mailbox == mailbox, MailMessage.message_id == parsed.message_id
            )
        )
        is not None
    ):
        return None
    parent = _thread_parent(session, parsed)
    message = MailMessage(
        mailbox=mailbox,
        uidvalidity=uidvalidity,
        uid=uid,
        direction="in",
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references) or None,
        thread_key=parent.thread_key if parent else (parsed.message_id or f"{mailbox}:{uidvalidity}:{uid}"),
        from_addr=parsed.from_addr[:254],
        from_name=(parsed.from_name or "")[:300] or None,
        to_addrs=parsed.to_addrs,
        subject=parsed.subject,
        body=parsed.body,
        received_at=min(parsed.date or now, now),
    )
    if parent is not None and parent.client_id is not None:
        message.client_id, message.deal_id = parent.client_id, parent.deal_id
        message.activity_id = parent.activity_id
    else:
        point = session.scalar(
            select(ContactPoint)
            .where(ContactPoint.kind == "email", ContactPoint.value == parsed.from_addr)
            .order_by(ContactPoint.contact_id.is_(None), ContactPoint.id)
            .limit(1)
        )
        if point is not None:
            message.client_id, message.contact_id = point.client_id, point.contact_id
        else:
            message.triage = "pending"
    for filename, content_type, data in parsed.attachments:
        message.attachments.append(
            MailAttachment(
                filename=filename[:300], content_type=content_type[:200], size=len(data), data=data
            )
        )
    session.add(message)
    session.flush()
    thread_activity(session, message, now)
    return message


def _advance(session: Session, mailbox: str, uidvalidity: int, uid: int, now: datetime) -> None:
    state = session.get(MailFolderState, mailbox)
    if state is None:
        session.add(MailFolderState(mailbox=mailbox, uidvalidity=uidvalidity, last_uid=uid, checked_at=now))
    else:
        state.uidvalidity, state.last_uid, state.checked_at = uidvalidity, max(uid, state.last_uid), now


def _start(context: JobContext, url: MailboxUrl) -> tuple[int, int | None]:
    with context.session_factory() as session:
        state = session.get(MailFolderState, url.key)
        return state.last_uid if state is not None else 0, state.uidvalidity if state is not None else None


def fetch_mailbox(context: JobContext, url: MailboxUrl) -> int:
    """Import what is new in one mailbox; returns how many messages were imported."""
    after, known_validity = _start(context, url)
    reader = reader_for(url, context.settings)
    imported = 0
    try:
        validity, messages = reader.fetch(after)
        if known_validity is not None and validity != known_validity:
            reader.close()
            reader = reader_for(url, context.settings)
            validity, messages = reader.fetch(0)  # renumbered: read the folder again
        for count, (uid, raw) in enumerate(messages):
            if count >= PER_RUN:
                break

            def work(session: Session, uid: int = uid, raw: bytes = raw) -> bool:
                now = context.clock.now()
                stored = import_message(session, url.key, validity, uid, raw, now)
                _advance(session, url.key, validity, uid, now)
                return stored is not None

            imported += bool(run_unit(context.session_factory, work))
    finally:
        reader.close()
    return imported


def _note(context: JobContext, action: str, message: str) -> None:
    run_unit(
        context.session_factory,
        lambda session: record(session, SYSTEM, False, action, message, context.clock.now()),
    )


def fetch_job(context: JobContext) -> int:
    """Scheduler job: every configured mailbox; a failing mailbox is logged and the others go on."""
    total = 0
    try:
        urls = mailbox_urls(context.settings)
    except MailboxError as exc:
        _note(context, "Настройка CRM_IMAP_URLS", exc.message)
        return 0
    for url in urls:
        try:
            total += fetch_mailbox(context, url)
        except MailboxError as exc:
            log.warning("imap %s: %s", url.key, exc.message)
            _note(context, f"Чтение ящика {url.user}", exc.message)
    return total
