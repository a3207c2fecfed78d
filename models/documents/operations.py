"""Service-task operations any process may call: generate, send by e-mail, send through EDO.

- ``documents.generate(deal_id, kind)``: a new document of the deal from the latest template of
  the kind (its author is the deal's owner); answers its id and number;
- ``documents.send_email(document_id, to)`` and ``documents.send_edo(document_id)``: the same
  sending as the page and the API, refused (an incident) while a document whose kind needs
  approval is not approved — the rule holds on every path;
plus the approval route's own operations (``models.documents.approval``).
"""

from __future__ import annotations

from engine.errors import OperationError
from engine.operations import OperationContext
from models.discounts.errors import DiscountNotApproved
from models.documents import approval
from models.documents.documents import generate_document
from models.documents.errors import DocumentConflict, DocumentError
from models.documents.sending import queue_edo, queue_email
from models.documents.tables import Document
from models.identity.users import User
from models.platform.registry import Registry
from models.sales.deals import Deal


def _actor(context: OperationContext, user_id: int | None) -> User:
    user = context.session.get(User, user_id) if user_id else None
    if user is None:
        raise OperationError("Нет автора действия: укажите сотрудника")
    return user


def generate(context: OperationContext, deal_id: int, kind: str) -> dict:
    deal = context.session.get(Deal, deal_id)
    if deal is None:
        raise OperationError(f"Сделка №{deal_id} не найдена")
    try:
        document = generate_document(
            context.session,
            _actor(context, deal.owner_id),
            deal_id=deal_id,
            kind=kind,
            now=context.clock.now(),
        )
    except (DocumentError, DocumentConflict) as exc:
        raise OperationError(str(exc)) from None
    return {"document_id": document.id, "number": document.number}


def _author_of(context: OperationContext, document_id: int) -> User:
    document = context.session.get(Document, document_id)
    if document is None:
        raise OperationError(f"Документ №{document_id} не найден")
    return _actor(context, document.author_id)


def send_email(context: OperationContext, document_id: int, to: str) -> dict:
    try:
        sending = queue_email(
            context.session,
            _author_of(context, document_id),
            document_id,
            to,
            context.clock.now(),
            instance_id=context.instance_id,
        )
    except (DocumentError, DocumentConflict, DiscountNotApproved) as exc:
        raise OperationError(str(exc)) from None
    return {"sending_id": sending.id, "message_id": sending.message_id}


def send_edo(context: OperationContext, document_id: int) -> dict:
    try:
        sending = queue_edo(
            context.session,
            _author_of(context, document_id),
            document_id,
            context.clock.now(),
            instance_id=context.instance_id,
        )
    except (DocumentError, DocumentConflict, DiscountNotApproved) as exc:
        raise OperationError(str(exc)) from None
    return {"sending_id": sending.id, "operation_id": sending.operation_id}


def register(registry: Registry) -> None:
    registry.operation("documents.generate", generate)
    registry.operation("documents.send_email", send_email)
    registry.operation("documents.send_edo", send_edo)
    registry.operation("documents.plan_route", approval.plan_route)
    registry.operation("documents.record_outcome", approval.record_outcome)
    registry.operation("documents.restart_approval", approval.restart_approval)
    registry.operation("documents.stage_alert", approval.stage_alert)
