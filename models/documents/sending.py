"""Sending a document: by e-mail through the outbox, or through EDO; and what comes back.

The rule of the issue, on every path (page, API, BPMN operation): a document whose kind needs
approval leaves only when its current version is the approved one (``require_sendable``); a
КП with a discount also only within the approved discount (the discount sign-off's own
``require_approved``, not a copy of it).

- **E-mail**: the version is attached to a letter queued through the notifications service
  (sent by the outbox after commit); the Message-ID is chosen here and kept on the sending,
  and a second sending of the same version to the same address is refused — never twice.
- **EDO**: a ``document_sending`` row with a fresh ``operationId`` is queued; the EDO job
  (``integrations/edo``) posts it, retrying with the same ``operationId`` so the server
  recognises a repeat; events polled later move it to delivered / signed / rejected
  (``apply_edo_status``), onto the document, the deal's timeline and a notification to the author.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.discounts.service import require_approved
from models.documents.access import get_document
from models.documents.documents import DOCX_TYPE, load_version, log_event, set_status
from models.documents.errors import DocumentConflict, DocumentError, NotApproved
from models.documents.kinds import NEEDS_APPROVAL, Status, kind_label, status_label
from models.documents.tables import ClientDocumentDetails, Document, DocumentSending, DocumentVersion
from models.identity.users import User
from models.notifications.service import notify, send_email
from models.platform.events import publish
from models.platform.jobs import claim
from models.sales.activities import log_activity

SENDABLE = frozenset({Status.DRAFT, Status.APPROVED, Status.SENT, Status.DELIVERED})


def require_sendable(session: Session, document: Document, user: User, now: datetime) -> DocumentVersion:
    """The version that may leave now, or ``NotApproved`` / ``DocumentConflict`` saying why not."""
    if document.kind in NEEDS_APPROVAL:
        if document.approved_version is None or document.approved_version != document.current_version:
            raise NotApproved(
                f"{kind_label(document.kind)} {document.number} не согласован: отправить можно только "
                "после согласования текущей версии"
            )
        valid = [
            a
            for a in document.approvals
            if a.valid and a.decision == "approve" and a.version_number == document.current_version
        ]
        if not valid:
            raise NotApproved(f"{document.number}: нет действующих согласований текущей версии")
    elif document.status not in SENDABLE:
        raise DocumentConflict(f"Документ {status_label(document.status).lower()}: отправить нельзя")
    if document.status in (Status.SIGNED, Status.CLIENT_REJECTED):
        raise DocumentConflict(f"Документ уже {status_label(document.status).lower()}")
    if document.kind == "offer" and document.deal_id is not None:
        require_approved(
            session,
            document.deal_id,
            document.product,
            document.discount,
            now.date(),
            source="documents",
            user_id=user.id,
        )
    version = load_version(session, document)
    if document.kind in NEEDS_APPROVAL and not all(
        a.sha256 == version.sha256
        for a in document.approvals
        if a.valid and a.decision == "approve" and a.version_number == version.number
    ):
        raise NotApproved("Хеш версии не совпадает с согласованным: нужно согласовать заново")
    return version


def _sent(
    session: Session, document: Document, sending: DocumentSending, user: User, now: datetime, what: str
) -> None:
    if document.status in (Status.DRAFT, Status.APPROVED):
        set_status(document, Status.SENT, user.id, now, what)
    else:
        log_event(document, "sent", what, user.id, now)
    if document.deal is not None:
        log_activity(
            session,
            kind="email" if sending.channel == "email" else "note",
            subject=f"{document.number} отправлен: {what}"[:300],
            happened_at=now,
            now=now,
            user_id=user.id,
            deal=document.deal,
        )


def queue_email(
    session: Session, user: User, document_id: int, to: str, now: datetime, *, instance_id: int | None = None
) -> DocumentSending:
    """Send the current version to ``to`` as an attachment (after commit, through the outbox), once."""
    document = get_document(session, user, document_id, "edit")
    address = (to or "").strip().lower()
    if "@" not in address or " " in address or len(address) > 254:
        raise DocumentError({"to": ["Укажите e-mail получателя, например office@client.ru"]})
    version = require_sendable(session, document, user, now)
    repeat = session.scalar(
        select(DocumentSending.id).where(
            DocumentSending.document_id == document.id,
            DocumentSending.channel == "email",
            DocumentSending.version_number == version.number,
            DocumentSending.recipient == address,
        )
    )
    if repeat is not None:
        raise DocumentConflict(f"Версия v{version.number} уже отправлена на {address}")
    message_id = f"<doc-{document.id}-v{version.number}-{uuid.uuid4().hex[:12]}@crm.local>"
    sending = DocumentSending(
        version_number=version.number,
        channel="email",
        status="sent",
        recipient=address,
        message_id=message_id,
        author_id=user.id,
        instance_id=instance_id,
        created_at=now,
        updated_at=now,
    )
    document.sendings.append(sending)
    session.flush()
    row = send_email(
        session,
        address,
        f"{kind_label(document.kind)} {document.number}",
        f"Здравствуйте!\n\nНаправляем {kind_label(document.kind).lower()} {document.number} "
        f"(версия v{version.number}).\n\n{user.full_name}\n{user.email or ''}",
        now,
        instance_id=instance_id,
        dedupe_key=f"document-email:{sending.id}",
        attachments=[
            {
                "filename": f"{document.number}.docx",
                "content_type": DOCX_TYPE,
                "data": base64.b64encode(version.content).decode(),
            }
        ],
        message_id=message_id,
    )
    sending.outbox_id = row.id
    _sent(session, document, sending, user, now, f"по e-mail на {address} (v{version.number})")
    session.flush()
    return sending


def queue_edo(
    session: Session, user: User, document_id: int, now: datetime, *, instance_id: int | None = None
) -> DocumentSending:
    """Queue the current version for EDO; the EDO job posts it with this sending's ``operationId``."""
    document = get_document(session, user, document_id, "edit")
    version = require_sendable(session, document, user, now)
    if not document.client.inn:
        raise DocumentError({"_form": ["У клиента нет ИНН: отправить через ЭДО нельзя"]})
    open_one = session.scalar(
        select(DocumentSending.id).where(
            DocumentSending.document_id == document.id,
            DocumentSending.channel == "edo",
            DocumentSending.version_number == version.number,
            DocumentSending.status.in_(("queued", "sent", "delivered", "signed")),
        )
    )
    if open_one is not None:
        raise DocumentConflict(f"Версия v{version.number} уже отправлена через ЭДО")
    details = session.get(ClientDocumentDetails, document.client_id)
    sending = DocumentSending(
        version_number=version.number,
        channel="edo",
        status="queued",
        recipient=(details.edo_box_id if details and details.edo_box_id else document.client.inn),
        operation_id=uuid.uuid4().hex,
        author_id=user.id,
        instance_id=instance_id,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    document.sendings.append(sending)
    log_event(document, "edo", f"Поставлен в очередь ЭДО (v{version.number})", user.id, now)
    session.flush()
    return sending


EDO_STATUS = {
    "sent": (None, "отправлен через ЭДО"),
    "delivered": (Status.DELIVERED, "доставлен клиенту через ЭДО"),
    "signed": (Status.SIGNED, "подписан клиентом в ЭДО"),
    "rejected": (Status.CLIENT_REJECTED, "отклонён клиентом в ЭДО"),
}
ORDER = ("queued", "sent", "delivered", "signed", "rejected")


def edo_posted(
    session: Session, sending_id: int, message_id: str | None, entity_id: str | None, now: datetime
) -> DocumentSending | None:
    """The EDO server accepted the message (or said the operationId was already used)."""
    sending = session.get(DocumentSending, sending_id)
    if sending is None:
        return None
    sending.status = "sent"
    sending.message_id = message_id or sending.message_id
    sending.entity_id = entity_id or sending.entity_id
    sending.error = None
    sending.updated_at = now
    document = sending.document
    author = session.get(User, sending.author_id) if sending.author_id else None
    if author is not None:
        _sent(session, document, sending, author, now, f"через ЭДО (v{sending.version_number})")
    return sending


def apply_edo_status(
    session: Session, sending: DocumentSending, status: str, note: str, now: datetime
) -> bool:
    """Move an EDO sending (and its document) forward; an event never moves it back. True when changed."""
    if status not in EDO_STATUS or ORDER.index(status) <= ORDER.index(
        sending.status if sending.status in ORDER else "queued"
    ):
        return False
    sending.status = status
    sending.updated_at = now
    document = sending.document
    doc_status, words = EDO_STATUS[status]
    if doc_status is not None:
        set_status(document, doc_status, None, now, note or words)
    if document.deal is not None:
        log_activity(
            session,
            kind="note",
            subject=f"{document.number}: {words}"[:300],
            happened_at=now,
            now=now,
            user_id=None,
            deal=document.deal,
            outcome=note or None,
        )
    if status == "signed":
        publish(
            session,
            "document.signed",
            {
                "document_id": document.id,
                "kind": document.kind,
                "client_id": document.client_id,
                "deal_id": document.deal_id,
            },
            now,
        )
    notify(
        session,
        [document.author_id],
        "document_status",
        f"{document.number}: {words}",
        f"{document.title}: {words}." + (f" {note}" if note else ""),
        now,
        object_type="document",
        object_id=document.id,
        dedupe_key=f"document:{document.id}:edo:{sending.id}:{status}",
    )
    return True


def edo_incident(session: Session, sending: DocumentSending, error: str, now: datetime) -> None:
    """A failure people must fix (401: the EDO token): the sending stops; admins and the author are told."""
    from models.platform.roles import Role

    sending.status = "incident"
    sending.error = error[:2000]
    sending.updated_at = now
    document = sending.document
    log_event(document, "incident", f"ЭДО: {error}", None, now)
    admins = list(
        session.scalars(select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True)))
    )
    notify(
        session,
        [*admins, document.author_id],
        "document_status",
        f"Инцидент ЭДО: {document.number}",
        f"Отправка «{document.title}» через ЭДО остановлена: {error}. После исправления — «Повторить» "
        "на странице документа.",
        now,
        object_type="document",
        object_id=document.id,
        dedupe_key=f"document:{document.id}:edo-incident:{sending.id}:{sending.attempts}",
    )


def retry_edo(
    session: Session, user: User, document_id: int, sending_id: int, now: datetime
) -> DocumentSending:
    """Put a stopped EDO sending back in the queue (same operationId: a repeat is never a second letter)."""
    document = get_document(session, user, document_id, "edit")
    sending = next((s for s in document.sendings if s.id == sending_id and s.channel == "edo"), None)
    if sending is None or sending.status != "incident":
        raise DocumentConflict("Повторить можно только остановленную отправку через ЭДО")
    sending.status = "queued"
    sending.next_attempt_at = now
    sending.error = None
    log_event(document, "edo", "Отправка через ЭДО повторяется", user.id, now)
    return sending


@dataclass(frozen=True)
class EdoOutgoing:
    """What the EDO job posts for one sending (read in its own short transaction)."""

    sending_id: int
    operation_id: str
    kind: str
    number: str
    title: str
    client_inn: str
    box_id: str | None
    filename: str
    content: bytes


def due_edo_sendings(session: Session, now: datetime, limit: int = 50) -> list[int]:
    return list(
        session.scalars(
            select(DocumentSending.id)
            .where(
                DocumentSending.channel == "edo",
                DocumentSending.status == "queued",
                DocumentSending.next_attempt_at <= now,
            )
            .order_by(DocumentSending.id)
            .limit(limit)
        )
    )


def claim_edo_sending(
    session: Session, sending_id: int, now: datetime, lease: timedelta
) -> EdoOutgoing | None:
    """Take a due EDO sending for one attempt (a lease, so a second worker skips it); None if gone."""
    sending = claim(
        session,
        select(DocumentSending).where(
            DocumentSending.id == sending_id,
            DocumentSending.status == "queued",
            DocumentSending.next_attempt_at <= now,
        ),
    )
    if sending is None or sending.operation_id is None:
        return None
    sending.attempts += 1
    sending.next_attempt_at = now + lease
    document = sending.document
    version = load_version(session, document, sending.version_number)
    details = session.get(ClientDocumentDetails, document.client_id)
    return EdoOutgoing(
        sending.id,
        sending.operation_id,
        document.kind,
        document.number,
        document.title,
        document.client.inn or "",
        details.edo_box_id if details else None,
        f"{document.number}.docx",
        version.content,
    )


def edo_retry_later(session: Session, sending_id: int, at: datetime, error: str) -> None:
    sending = session.get(DocumentSending, sending_id)
    if sending is not None and sending.status == "queued":
        sending.next_attempt_at = at
        sending.error = error[:2000]


def edo_sending_for(
    session: Session, custom_id: str | None, message_id: str | None
) -> DocumentSending | None:
    """The sending an EDO event is about: our ``CustomDocumentId`` («crm-sending-<id>»), else MessageId."""
    if custom_id and custom_id.startswith(CUSTOM_PREFIX) and custom_id[len(CUSTOM_PREFIX) :].isdigit():
        found = session.get(DocumentSending, int(custom_id[len(CUSTOM_PREFIX) :]))
        if found is not None:
            return found
    if message_id:
        return session.scalar(
            select(DocumentSending).where(
                DocumentSending.channel == "edo", DocumentSending.message_id == message_id
            )
        )
    return None


CUSTOM_PREFIX = "crm-sending-"
