"""The approval route as BPMN operations, and starting and recalling an approval.

``processes/document_approval.bpmn`` asks ``document_route.dmn`` for the route («lawyer+underwriter>head»:
stages in order, approvers of a stage in parallel), then calls:

- ``documents.plan_route``: roles become people — a senior manager is the author's own
  manager where that is one, otherwise the first active employee of the role; nobody approves
  their own document (the author is skipped); absent approvers' tasks go to their deputies
  (the engine's assignee rule);
- ``documents.record_outcome``: approved (the approved version is the current one and every
  valid approval names its hash), rejected, rework, or refused for an unapproved discount —
  on the document, its history and a notification to the author;
- ``documents.restart_approval``: after rework with a new version, the stages start again;
- ``documents.stage_alert``: reminder, overdue notice and escalation to the approver's manager
  for every open approval task of the stage (the shared ``alert_once``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.errors import OperationError
from engine.operations import OperationContext
from engine.tables import HumanTask, InstanceStatus, TaskStatus
from models.discounts.service import require_approved
from models.documents.documents import editable, log_event, set_status
from models.documents.errors import DocumentConflict
from models.documents.kinds import NEEDS_APPROVAL, Status, kind_label
from models.documents.tables import Document
from models.identity.users import User
from models.notifications.service import notify
from models.platform.roles import ROLE_LABELS, Role
from models.tasks.alerts import alert_once

PROCESS = "document_approval"
APPROVE_TASK = "approve"
REWORK_TASK = "rework"
ROUTE_ROLES = frozenset({Role.LAWYER, Role.UNDERWRITER, Role.HEAD, Role.SENIOR_MANAGER, Role.BACK_OFFICE})


def _document(context: OperationContext, document_id: int) -> Document:
    document = context.session.get(Document, document_id)
    if document is None:
        raise OperationError(f"Документ №{document_id} не найден")
    return document


def _approver_for(session: Session, role: Role, author: User | None) -> User | None:
    if role == Role.SENIOR_MANAGER and author is not None and author.manager is not None:
        manager = author.manager
        if manager.is_active and manager.role == Role.SENIOR_MANAGER and manager.id != author.id:
            return manager
    stmt = select(User).where(User.role == role.value, User.is_active.is_(True)).order_by(User.id)
    return next((u for u in session.scalars(stmt) if author is None or u.id != author.id), None)


def plan_route(context: OperationContext, document_id: int, route: str, reason: str) -> dict:
    """Stages of people for ``route`` («lawyer+underwriter>head»)."""
    document = _document(context, document_id)
    stages: list[list[int]] = []
    names: list[str] = []
    for stage in [s for s in (route or "").split(">") if s.strip()]:
        people: list[int] = []
        labels: list[str] = []
        for code in [c.strip() for c in stage.split("+") if c.strip()]:
            try:
                role = Role(code)
            except ValueError:
                raise OperationError(f"Маршрут: неизвестная роль «{code}»") from None
            if role not in ROUTE_ROLES:
                raise OperationError(f"Маршрут: роль «{code}» не согласует документы")
            person = _approver_for(context.session, role, document.author)
            if person is None:
                raise OperationError(f"Некому согласовать: нет сотрудника с ролью «{ROLE_LABELS[role]}»")
            if person.id not in people:
                people.append(person.id)
            labels.append(ROLE_LABELS[role])
        stages.append(people)
        names.append(" + ".join(labels))
    if not stages:
        raise OperationError(f"{kind_label(document.kind)}: согласование не нужно ({reason})")
    log_event(document, "route", f"Маршрут: {' → '.join(names)} ({reason})", None, context.clock.now())
    return {"stages": stages, "names": names, "reason": reason}


def _tell_author(context: OperationContext, document: Document, title: str, body: str, key: str) -> None:
    notify(
        context.session,
        [document.author_id],
        "document_status",
        title,
        body,
        context.clock.now(),
        object_type="document",
        object_id=document.id,
        instance_id=context.instance_id,
        dedupe_key=f"document:{document.id}:{key}",
    )


OUTCOMES = {
    "approved": (Status.APPROVED, "согласован всеми согласующими"),
    "rejected": (Status.REJECTED, "отклонён"),
    "rework": (Status.REWORK, "возвращён на доработку"),
    "discount_refused": (Status.DRAFT, "не ушёл на согласование: скидка КП не согласована"),
}


def record_outcome(context: OperationContext, document_id: int, outcome: str) -> dict:
    """The route's result on the document, its history and the author's notifications."""
    if outcome not in OUTCOMES:
        raise OperationError(f"Неизвестный итог согласования «{outcome}»")
    document = _document(context, document_id)
    now = context.clock.now()
    status, words = OUTCOMES[outcome]
    if outcome == "approved":
        document.approved_version = document.current_version
    set_status(document, status, None, now, words)
    remarks = [
        a
        for a in document.approvals
        if a.version_number == document.current_version and a.comment and a.decision != "approve"
    ]
    body = f"{document.title}: {words}." + "".join(
        f"\n{a.approver.full_name if a.approver else '—'}: {a.comment}" for a in remarks
    )
    _tell_author(
        context,
        document,
        f"{document.number}: {words}",
        body,
        f"{outcome}:v{document.current_version}:{len(document.events)}",
    )
    return {"status": status, "version": document.current_version}


def restart_approval(context: OperationContext, document_id: int, comment: str) -> dict:
    """The author reworked the document: the stages run again on the new version."""
    document = _document(context, document_id)
    now = context.clock.now()
    set_status(document, Status.IN_APPROVAL, None, now, f"v{document.current_version} после доработки")
    log_event(
        document, "rework", f"Доработано (v{document.current_version}): {comment}", document.author_id, now
    )
    return {"version": document.current_version}


def stage_alert(context: OperationContext, event: str) -> dict:
    """Remind, report overdue or escalate every open approval task of the current stage."""
    if event not in ("reminder", "overdue", "escalated"):
        raise OperationError(f"Неизвестное событие срока «{event}»")
    rows = context.session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == context.instance_id,
            HumanTask.element_id == APPROVE_TASK,
            HumanTask.status == TaskStatus.OPEN,
        )
    )
    sent = [row.id for row in rows if alert_once(context.session, row, event, context.clock.now())]
    return {"alerted": sent}


def start_approval(
    session: Session, engine: ProcessEngine, user: User, document_id: int, now: datetime
) -> Document:
    """Send the latest version on its route; a КП with a discount only within the approved discount."""
    document = editable(session, user, document_id)
    if document.kind not in NEEDS_APPROVAL:
        raise DocumentConflict(f"{kind_label(document.kind)} не требует согласования: его можно отправлять")
    if document.status == Status.REWORK:
        raise DocumentConflict("Документ на доработке: загрузите новую версию и завершите задачу доработки")
    if document.status == Status.APPROVED and document.approved_version == document.current_version:
        raise DocumentConflict("Эта версия уже согласована")
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
    data = {
        "document_id": document.id,
        "deal_id": document.deal_id or 0,
        "kind": document.kind,
        "product": document.product or "",
        "amount": document.amount or 0,
        "discount": document.discount or 0,
        "author_id": document.author_id or user.id,
        "stage": 0,
        "title": document.title,
    }
    set_status(document, Status.IN_APPROVAL, user.id, now, f"v{document.current_version}")
    session.flush()
    instance = engine.start(
        PROCESS,
        data,
        business_type="document",
        business_id=document.id,
        user_id=user.id,
        title=f"Согласование: {document.title}",
    )
    document.instance_id = instance.id
    if instance.status == InstanceStatus.ERROR:
        raise DocumentConflict("Согласование не запустилось: " + _incident_text(engine, instance.id))
    session.flush()
    return document


def _incident_text(engine: ProcessEngine, instance_id: int) -> str:
    from engine.tables import Incident

    incident = engine.session.scalar(
        select(Incident).where(Incident.instance_id == instance_id).order_by(Incident.id.desc()).limit(1)
    )
    return incident.error if incident is not None else "ошибка процесса"


def recall_approval(
    session: Session, engine: ProcessEngine, user: User, document_id: int, now: datetime
) -> Document:
    """The author takes the document back: the process is cancelled, approvers are told."""
    from models.documents.access import get_document

    document = get_document(session, user, document_id, "edit")
    if document.status not in (Status.IN_APPROVAL, Status.REWORK) or document.instance_id is None:
        raise DocumentConflict("Документ не на согласовании")
    waiting = [
        row.assignee_id
        for row in session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == document.instance_id, HumanTask.status == TaskStatus.OPEN
            )
        )
    ]
    engine.cancel(document.instance_id, user.id, "Автор отозвал документ с согласования")
    set_status(document, Status.DRAFT, user.id, now, "отозван автором")
    notify(
        session,
        [w for w in waiting if w != user.id],
        "document_approval",
        f"Отозван с согласования: {document.number}",
        f"{user.full_name} отозвал(а) «{document.title}» с согласования: решать не нужно.",
        now,
        object_type="document",
        object_id=document.id,
        dedupe_key=f"document:{document.id}:recall:{len(document.events)}",
    )
    session.flush()
    return document
