"""Who may see and change documents and templates; loading a document by id with that check.

A document is seen by whoever may see its deal (or its client, without a deal), by everyone
who approves or approved it, and by back office, lawyers, underwriters, the head, analysts
and admins (documents reach them from every manager). It is changed (new version, approval
start, recall, sending) by its author, whoever may edit its deal, back office, lawyers and
admins. Templates are managed by back office, lawyers and admins.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.interfaces import ORMOption

from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.documents.errors import DocumentError
from models.documents.tables import Document, DocumentApproval
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied, can_access, require_access, scoped
from models.platform.registry import Registry
from models.platform.roles import Role
from models.sales.deals import Deal

SEE_ALL = frozenset({Role.BACK_OFFICE, Role.LAWYER, Role.UNDERWRITER, Role.HEAD, Role.ANALYST, Role.ADMIN})
EDIT_ALL = frozenset({Role.BACK_OFFICE, Role.LAWYER, Role.ADMIN})
TEMPLATE_MANAGERS = frozenset({Role.BACK_OFFICE, Role.LAWYER, Role.ADMIN})


def _approver(user: User, document: Document) -> bool:
    """Decided on it, or has an open task of its approval (the approver reads before deciding)."""
    if any(a.approver_id == user.id for a in document.approvals):
        return True
    session = object_session(document)
    if session is None or document.instance_id is None:
        return False
    return (
        session.scalar(
            select(HumanTask.id)
            .where(
                HumanTask.instance_id == document.instance_id,
                HumanTask.status == TaskStatus.OPEN,
                or_(HumanTask.assignee_id == user.id, HumanTask.original_assignee_id == user.id),
            )
            .limit(1)
        )
        is not None
    )


def _document_rule(user: User, document: Document, action: str) -> bool:
    role = Role(user.role)
    if action == "view":
        if role in SEE_ALL or document.author_id == user.id or _approver(user, document):
            return True
        record = document.deal if document.deal is not None else document.client
        return can_access(user, record, "view")
    if action == "edit":
        if role in EDIT_ALL or document.author_id == user.id:
            return True
        return document.deal is not None and can_access(user, document.deal, "edit")
    return False


def _document_scope(user: User, stmt: Select) -> Select:
    if Role(user.role) in SEE_ALL:
        return stmt
    deals = scoped(user, Deal, select(Deal.id))
    clients = scoped(user, Client, select(Client.id))
    approving = select(DocumentApproval.document_id).where(DocumentApproval.approver_id == user.id)
    return stmt.where(
        or_(
            Document.author_id == user.id,
            Document.deal_id.in_(deals),
            Document.client_id.in_(clients),
            Document.id.in_(approving),
        )
    )


def get_document(session: Session, user: User, document_id: int, action: str = "view", *,
                 options: Sequence[ORMOption] = ()) -> Document:
    """The document ``user`` asked for; ``NotFound`` (404) or ``AccessDenied`` (403). ``options``
    load with it what the caller's page shows (the card: its deal, client, versions, events…)."""
    document = session.get(Document, document_id, options=options)
    if document is None:
        raise NotFound("Документ не найден")
    require_access(user, document, action)
    return document


def require_template_manager(user: User) -> None:
    if Role(user.role) not in TEMPLATE_MANAGERS:
        raise AccessDenied("Шаблоны ведут бэк-офис, юристы и администратор")


def require_deal(session: Session, user: User, deal_id: object) -> Deal:
    """The deal a new document is for: the user must be allowed to edit it (linking needs the right)."""
    try:
        deal = session.get(Deal, int(deal_id))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise DocumentError({"deal_id": ["Укажите сделку"]}) from None
    if deal is None:
        raise NotFound("Сделка не найдена")
    if Role(user.role) not in EDIT_ALL:
        require_access(user, deal, "edit")
    else:
        require_access(user, deal, "view")
    return deal


def register(registry: Registry) -> None:
    registry.record_rule(Document, _document_rule)
    registry.scope_rule(Document, _document_scope)
