"""Documents and their versions: numbering, generation from a template, uploaded versions, history.

Every generation or upload is a new immutable ``DocumentVersion`` (bytes, SHA-256, author, time,
the data it was filled from). A new version makes every approval of an earlier version stale
(``invalidated_at``) and takes an approved document back to «черновик»: an approval is of a
hash, never of «the document». Numbers go per kind and year («Д-2026-0007») from
``document_counter``, whose version column makes two concurrent generations a conflict
rather than a duplicate number (and the unique (kind, year, seq) key backs it).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from models.documents.access import get_document, require_deal
from models.documents.errors import DocumentConflict, DocumentError
from models.documents.filling import fill_data, render
from models.documents.kinds import KINDS, PREFIXES, Status, kind_label, status_label
from models.documents.tables import (
    ClientDocumentDetails,
    Document,
    DocumentCounter,
    DocumentEvent,
    DocumentVersion,
)
from models.documents.template_checks import check_container, check_package
from models.documents.templates import latest_template
from models.identity.users import User
from models.platform.errors import NotFound
from models.sales.deals import Deal

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FROZEN = frozenset({Status.SENT, Status.DELIVERED, Status.SIGNED, Status.CLIENT_REJECTED})


def next_number(session: Session, kind: str, year: int) -> tuple[int, str]:
    counter = session.get(DocumentCounter, (kind, year))
    if counter is None:
        counter = DocumentCounter(kind=kind, year=year, last=0)
        session.add(counter)
    counter.last += 1
    return counter.last, f"{PREFIXES.get(kind, 'Д')}-{year}-{counter.last:04d}"


def log_event(document: Document, kind: str, text: str, user_id: int | None, now: datetime) -> None:
    document.events.append(DocumentEvent(kind=kind, text=text, user_id=user_id, at=now))


def set_status(document: Document, status: str, user_id: int | None, now: datetime, note: str = "") -> None:
    if document.status == status:
        return
    document.status = status
    document.updated_at = now
    log_event(
        document, "status", f"Статус: {status_label(status)}" + (f" — {note}" if note else ""), user_id, now
    )


def _add_version(
    document: Document,
    content: bytes,
    *,
    filename: str,
    source: str,
    data: dict | None,
    author_id: int | None,
    comment: str | None,
    now: datetime,
) -> DocumentVersion:
    number = document.current_version + 1
    version = DocumentVersion(
        number=number,
        filename=filename,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        source=source,
        data=data,
        comment=comment,
        author_id=author_id,
        created_at=now,
    )
    document.versions.append(version)
    document.current_version = number
    document.updated_at = now
    stale = [a for a in document.approvals if a.invalidated_at is None and a.version_number < number]
    for approval in stale:
        approval.invalidated_at = now
    if document.status == Status.APPROVED:
        document.approved_version = None
        set_status(
            document, Status.DRAFT, author_id, now, f"новая версия v{number} — нужно согласовать заново"
        )
    what = "сформирована из шаблона" if source == "generated" else "загружена"
    note = f" (согласования прежних версий недействительны: {len(stale)})" if stale else ""
    log_event(document, "version", f"Версия v{number} {what}{note}", author_id, now)
    return version


def _kind(value: object) -> str:
    kind = str(value or "")
    if kind not in KINDS:
        raise DocumentError({"kind": ["Выберите вид документа: " + ", ".join(KINDS.values())]})
    return kind


def _discount(deal: Deal) -> Decimal | None:
    return deal.requested_discount if deal.requested_discount and deal.requested_discount > 0 else None


def generate_document(
    session: Session,
    user: User,
    *,
    deal_id: object,
    kind: object,
    now: datetime,
    template_id: int | None = None,
) -> Document:
    """A new document of a deal, numbered, with v1 generated from the latest version of the template."""
    kind = _kind(kind)
    deal = require_deal(session, user, deal_id)
    template = latest_template(session, kind, template_id)
    seq, number = next_number(session, kind, now.year)
    document = Document(
        kind=kind,
        year=now.year,
        seq=seq,
        number=number,
        title=f"{kind_label(kind)} № {number}: {deal.client.display_name}"[:500],
        deal_id=deal.id,
        client_id=deal.client_id,
        author_id=user.id,
        status=Status.DRAFT,
        amount=deal.premium,
        discount=_discount(deal),
        product=next(iter(deal.product_lines or []), None),
        template_version_id=template.id,
        created_at=now,
        updated_at=now,
    )
    session.add(document)
    # Flushed now: a pending document's ``client`` and ``deal`` read as None, and whether some
    # query on the way autoflushes it depends on what is cached in the process.
    session.flush()
    log_event(
        document,
        "created",
        f"Создан документ {number} по шаблону «{template.template.name}» v{template.number}",
        user.id,
        now,
    )
    _generate_version(session, document, template.content, user.id, now)
    session.flush()
    return document


def _generate_version(
    session: Session, document: Document, template_bytes: bytes, user_id: int | None, now: datetime
) -> DocumentVersion:
    deal = document.deal
    manager = deal.owner if deal is not None else None
    data = fill_data(
        kind=document.kind,
        number=document.number,
        on=now.date(),
        client=document.client,
        deal=deal,
        details=session.get(ClientDocumentDetails, document.client_id),
        manager=manager,
        discount=document.discount,
    )
    content = render(template_bytes, data)
    return _add_version(
        document,
        content,
        filename=f"{document.number}.docx",
        source="generated",
        data=data,
        author_id=user_id,
        comment=None,
        now=now,
    )


def regenerate(session: Session, user: User, document_id: int, now: datetime) -> DocumentVersion:
    """A new version filled again from today's deal and client (after their data changed)."""
    document = editable(session, user, document_id)
    if document.template_version_id is None:
        raise DocumentConflict(
            "Документ загружен вручную: сформировать заново нельзя, загрузите новую версию"
        )
    from models.documents.templates import template_content

    template = template_content(session, document.template_version_id)
    if document.deal is not None:
        document.amount, document.discount = document.deal.premium, _discount(document.deal)
    version = _generate_version(session, document, template.content, user.id, now)
    session.flush()
    return version


def editable(session: Session, user: User, document_id: int) -> Document:
    document = get_document(session, user, document_id, "edit")
    if document.status in FROZEN:
        raise DocumentConflict(f"Документ уже {status_label(document.status).lower()}: менять его нельзя")
    if document.status == Status.IN_APPROVAL:
        raise DocumentConflict(
            "Документ на согласовании: отзовите его или дождитесь решения "
            "(на доработке можно загрузить новую версию)"
        )
    return document


def upload_version(
    session: Session,
    user: User,
    document_id: int,
    *,
    filename: str,
    data: bytes,
    comment: str | None,
    now: datetime,
) -> DocumentVersion:
    """A version edited in Word and uploaded (DOCX, no macros, no zip bomb); older approvals go stale."""
    document = editable(session, user, document_id)
    archive = check_container(data, filename or "")
    check_package(archive)
    version = _add_version(
        document,
        data,
        filename=f"{document.number}-v{document.current_version + 1}.docx",
        source="uploaded",
        data=None,
        author_id=user.id,
        comment=(comment or "").strip()[:2000] or None,
        now=now,
    )
    session.flush()
    return version


def version_content(
    session: Session, user: User, document_id: int, number: int | None = None
) -> DocumentVersion:
    """A version with its bytes (the latest when ``number`` is None), for download, PDF, diff, sending."""
    document = get_document(session, user, document_id)
    return load_version(session, document, number)


def load_version(session: Session, document: Document, number: int | None = None) -> DocumentVersion:
    wanted = number if number is not None else document.current_version
    version = session.scalar(
        select(DocumentVersion)
        .options(undefer(DocumentVersion.content))
        .where(DocumentVersion.document_id == document.id, DocumentVersion.number == wanted)
    )
    if version is None:
        raise NotFound("Версия документа не найдена")
    return version


def version_pdf(session: Session, user: User, document_id: int, number: int | None = None) -> DocumentVersion:
    """A version with its PDF, made by LibreOffice on first request and kept (``PdfUnavailable``)."""
    from models.documents.pdf import to_pdf

    version = version_content(session, user, document_id, number)
    if version.pdf is None:
        version.pdf = to_pdf(version.content, f"v{version.number}")
    return version
