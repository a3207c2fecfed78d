"""What the document pages show, read in one service call each: the document card, the approval page,
the deal/client block, the archive, the approval sheet, the version diff."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.tables import HumanTask, TaskStatus
from models.documents.access import get_document
from models.documents.approval import APPROVE_TASK
from models.documents.documents import load_version
from models.documents.errors import DocumentError
from models.documents.filling import docx_paragraphs
from models.documents.kinds import KINDS, STATUS_LABELS
from models.documents.tables import Document, DocumentApproval, DocumentEvent, DocumentVersion
from models.identity.users import User
from models.platform.permissions import scoped


@dataclass(frozen=True)
class DiffLine:
    kind: str  # same | added | removed
    text: str


def diff_paragraphs(old: list[str], new: list[str]) -> list[DiffLine]:
    """Paragraph-level difference of two versions' texts."""
    lines: list[DiffLine] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            lines.extend(DiffLine("same", t) for t in old[i1:i2])
            continue
        lines.extend(DiffLine("removed", t) for t in old[i1:i2])
        lines.extend(DiffLine("added", t) for t in new[j1:j2])
    return lines


def version_diff(session: Session, user: User, document_id: int, old: int, new: int) -> list[DiffLine]:
    document = get_document(session, user, document_id)
    if not (1 <= old <= document.current_version and 1 <= new <= document.current_version):
        raise DocumentError({"_form": ["Нет такой версии документа"]})
    before = docx_paragraphs(load_version(session, document, old).content)
    after = docx_paragraphs(load_version(session, document, new).content)
    return diff_paragraphs(before, after)


@dataclass
class DocumentCard:
    document: Document
    paragraphs: list[str]
    open_tasks: list[HumanTask]
    my_task: HumanTask | None
    changes: list[DiffLine] | None
    changes_since: int | None


def _last_seen_version(document: Document, user_id: int) -> int | None:
    mine = [a.version_number for a in document.approvals if a.approver_id == user_id]
    return max(mine) if mine else (document.current_version - 1 if document.current_version > 1 else None)


# What the card shows with the document, each relation in the statement of its own or joined to the
# document's: the deal and client, the versions with who made them, the events with who did them, the
# approvals with the approvers, the sendings (each was a lazy load, the people one per row).
_CARD_LOADS = (
    joinedload(Document.deal), joinedload(Document.client), joinedload(Document.author),
    selectinload(Document.versions).joinedload(DocumentVersion.author),
    selectinload(Document.events).joinedload(DocumentEvent.user),
    selectinload(Document.approvals).joinedload(DocumentApproval.approver), selectinload(Document.sendings),
)


def document_card(session: Session, user: User, document_id: int) -> DocumentCard:
    document = get_document(session, user, document_id, options=_CARD_LOADS)
    version = load_version(session, document)
    tasks: list[HumanTask] = []
    if document.instance_id is not None:
        tasks = list(
            session.scalars(
                select(HumanTask)
                .where(HumanTask.instance_id == document.instance_id, HumanTask.status == TaskStatus.OPEN)
                .options(joinedload(HumanTask.assignee))  # «Ждут: …» names each approver
                .order_by(HumanTask.id)
            )
        )
    mine = next((t for t in tasks if t.element_id == APPROVE_TASK and t.assignee_id == user.id), None)
    since = _last_seen_version(document, user.id) if mine is not None else None
    changes = None
    if since is not None and since < document.current_version:
        changes = diff_paragraphs(
            docx_paragraphs(load_version(session, document, since).content), docx_paragraphs(version.content)
        )
    return DocumentCard(document, docx_paragraphs(version.content), tasks, mine, changes, since)


def deal_documents(
    session: Session, user: User, *, deal_id: int | None = None, client_id: int | None = None
) -> list[Document]:
    stmt = scoped(user, Document, select(Document))
    if deal_id is not None:
        stmt = stmt.where(Document.deal_id == deal_id)
    if client_id is not None:
        stmt = stmt.where(Document.client_id == client_id)
    return list(session.scalars(stmt.order_by(Document.id.desc()).limit(100)))


@dataclass
class ArchiveFilter:
    client: str = ""
    deal_id: int | None = None
    kind: str = ""
    status: str = ""
    number: str = ""
    date_from: date | None = None
    date_to: date | None = None
    before_id: int | None = None  # keyset cursor: documents older (lower id) than this one
    errors: dict[str, list[str]] = field(default_factory=dict)


def _day(value: str, name: str, errors: dict[str, list[str]]) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    errors[name] = ["Дата в формате ДД.ММ.ГГГГ"]
    return None


def parse_archive_filter(args: Any) -> ArchiveFilter:
    errors: dict[str, list[str]] = {}
    deal = (args.get("deal_id") or "").strip()
    flt = ArchiveFilter(
        client=(args.get("client") or "").strip()[:200],
        kind=args.get("kind") or "",
        status=args.get("status") or "",
        number=(args.get("number") or "").strip()[:40],
        date_from=_day(args.get("from", ""), "from", errors),
        date_to=_day(args.get("to", ""), "to", errors),
        errors=errors,
    )
    before = (args.get("before") or "").strip()
    if before.isascii() and before.isdigit() and len(before) <= 10:
        flt.before_id = int(before)
    if deal:
        if deal.isdigit():
            flt.deal_id = int(deal)
        else:
            errors["deal_id"] = ["Номер сделки — число"]
    if flt.kind and flt.kind not in KINDS:
        errors["kind"] = ["Неизвестный вид документа"]
    if flt.status and flt.status not in STATUS_LABELS:
        errors["status"] = ["Неизвестный статус"]
    return flt


ARCHIVE_PAGE = 50


def archive(session: Session, user: User, flt: ArchiveFilter, zone: Any, limit: int = 200) -> list[Document]:
    """One keyset page of the documents ``user`` may see matching the filter, newest first
    (the page asks one more than ``ARCHIVE_PAGE``, to learn whether more follow). The client is found
    through the client search's indexes (name fragments, INN), never a LIKE over a join."""
    from models.clients.cards import Client
    from models.clients.search import matching_client_ids

    stmt = scoped(user, Document, select(Document))
    if flt.client:
        ids, selective = matching_client_ids(session, flt.client)
        if ids is None:
            return []
        if selective or not isinstance(ids, Select):
            stmt = stmt.where(Document.client_id.in_(ids))
        else:  # a frequent fragment (SQLite): each document's client checked, newest first
            stmt = stmt.where(exists(ids.where(Client.id == Document.client_id)))
    if flt.before_id is not None:
        stmt = stmt.where(Document.id < flt.before_id)
    if flt.deal_id is not None:
        stmt = stmt.where(Document.deal_id == flt.deal_id)
    if flt.kind:
        stmt = stmt.where(Document.kind == flt.kind)
    if flt.status:
        stmt = stmt.where(Document.status == flt.status)
    if flt.number:
        stmt = stmt.where(func.lower(Document.number).like(f"%{flt.number.lower()}%"))
    if flt.date_from:
        stmt = stmt.where(Document.created_at >= datetime.combine(flt.date_from, time(), zone))
    if flt.date_to:
        stmt = stmt.where(
            Document.created_at < datetime.combine(flt.date_to + timedelta(days=1), time(), zone)
        )
    return list(session.scalars(stmt.order_by(Document.id.desc()).limit(limit)))


@dataclass
class ApprovalSheet:
    document: Document
    rows: list[DocumentApproval]
    versions: list[DocumentVersion]


def approval_sheet(session: Session, user: User, document_id: int) -> ApprovalSheet:
    """«Лист согласования»: every decision with approver, comment, time, version and its hash."""
    document = get_document(session, user, document_id)
    return ApprovalSheet(document, list(document.approvals), list(document.versions))


def task_panel(session: Session, user: User, row: HumanTask) -> dict | None:
    """Above the approval task in the inbox: the document and the link to sign off."""
    document = session.scalar(select(Document).where(Document.instance_id == row.instance_id))
    if document is None:
        return None
    return {
        "document": document,
        "task": row,
        "signoff_url": f"/documents/{document.id}/approve/{row.id}"
        if row.element_id == APPROVE_TASK
        else None,
    }
