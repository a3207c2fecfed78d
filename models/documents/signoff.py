"""Signing off in the browser, bound to the exact version.

The approver sees the version (text or PDF) with its SHA-256 and decides; an approval is
confirmed with the approver's password or a one-time code e-mailed to them (six digits,
10 minutes, one use, only its hash kept, bound to the version's hash). The decision is stored
as a ``DocumentApproval`` with the hash, time, IP and user agent, then the process task is
completed through ``complete_process_task`` — the one way tasks complete. The task check
(``check_task``, declared for the process) refuses completing an approval task that has no
such record, so the generic inbox form or the API cannot approve without signing off, and a
rework task before a new version exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.tables import HumanTask, TaskStatus
from models.documents.documents import load_version, log_event
from models.documents.errors import DocumentConflict, DocumentError
from models.documents.kinds import DECISIONS
from models.documents.tables import Document, DocumentApproval, SignCode
from models.identity.users import User
from models.notifications.service import send_email
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied
from models.tasks.process_tasks import Completion, complete_process_task, may_complete

CODE_TTL = timedelta(minutes=10)
MAX_CODE_ATTEMPTS = 5


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def approval_task(session: Session, user: User, task_id: int) -> tuple[HumanTask, Document]:
    """The open approval task ``task_id`` of a document that ``user`` may complete."""
    from models.documents.approval import APPROVE_TASK, PROCESS

    row = session.get(HumanTask, task_id)
    if row is None or row.process_key != PROCESS or row.element_id != APPROVE_TASK:
        raise NotFound("Задача согласования не найдена")
    if not may_complete(user, row):
        raise AccessDenied("Эта задача согласования назначена не вам")
    if row.status != TaskStatus.OPEN:
        raise DocumentConflict("Решение по этой задаче уже принято")
    document = session.scalar(select(Document).where(Document.instance_id == row.instance_id))
    if document is None:
        raise NotFound("Документ задачи не найден")
    return row, document


def send_code(session: Session, user: User, task_id: int, now: datetime) -> SignCode:
    """E-mail a one-time code confirming the sign-off of the document's current version."""
    _row, document = approval_task(session, user, task_id)
    if not user.email:
        raise DocumentError({"_form": ["У вас не указан e-mail: подтвердите согласие паролем"]})
    version = load_version(session, document)
    code = f"{secrets.randbelow(10**6):06d}"
    sign = SignCode(
        user_id=user.id,
        document_id=document.id,
        sha256=version.sha256,
        code_hash=_hash_code(code),
        expires_at=now + CODE_TTL,
        created_at=now,
    )
    session.add(sign)
    send_email(
        session,
        user.email,
        f"Код подтверждения согласования {document.number}",
        f"Код подтверждения согласования документа «{document.title}», версия v{version.number} "
        f"(SHA-256 {version.sha256[:16]}…): {code}\nКод действует 10 минут. "
        "Если вы ничего не согласовывали, не сообщайте код никому.",
        now,
    )
    session.flush()
    return sign


def _confirmed_by_code(
    session: Session, user: User, document: Document, sha256: str, code: str, now: datetime
) -> bool:
    candidates = session.scalars(
        select(SignCode)
        .where(
            SignCode.user_id == user.id,
            SignCode.document_id == document.id,
            SignCode.sha256 == sha256,
            SignCode.used_at.is_(None),
            SignCode.expires_at > now,
        )
        .order_by(SignCode.id.desc())
    )
    wanted = _hash_code(code)
    for sign in candidates:
        if sign.attempts >= MAX_CODE_ATTEMPTS:
            continue
        if hmac.compare_digest(sign.code_hash, wanted):
            sign.used_at = now
            return True
    return False


@dataclass(frozen=True)
class SignOff:
    decision: str
    comment: str
    sha256: str
    password: str = ""
    code: str = ""
    ip: str | None = None
    user_agent: str | None = None


def _check_input(user: User, signoff: SignOff) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if signoff.decision not in DECISIONS:
        errors["decision"] = ["Выберите решение: согласовать, вернуть на доработку или отклонить"]
    if signoff.decision in ("reject", "rework") and not signoff.comment.strip():
        errors["comment"] = ["Комментарий обязателен при возврате на доработку и отклонении"]
    if signoff.decision == "approve" and not (signoff.password or signoff.code):
        errors["confirmation"] = ["Подтвердите согласие паролем или кодом из письма"]
    return errors


def decide(
    session: Session, engine: ProcessEngine, user: User, task_id: int, signoff: SignOff, now: datetime
) -> Completion:
    """Record the approver's decision on the version they saw and complete their task."""
    row, document = approval_task(session, user, task_id)
    version = load_version(session, document)
    if signoff.sha256 != version.sha256:
        raise DocumentConflict(
            f"Документ изменился: сейчас версия v{version.number}. Обновите страницу и "
            "посмотрите новую версию"
        )
    errors = _check_input(user, signoff)
    if not errors and signoff.decision == "approve":
        by_password = bool(signoff.password) and user.check_password(signoff.password)
        by_code = bool(signoff.code) and _confirmed_by_code(
            session, user, document, version.sha256, signoff.code, now
        )
        if not (by_password or by_code):
            errors["confirmation"] = ["Неверный пароль или код (или код истёк)"]
    if errors:
        raise DocumentError(errors)
    data = {"decision": signoff.decision, "comment": signoff.comment.strip()}
    stage_name = str(engine.task_data(row).get("stage_name") or "")
    stage = int(engine.task_data(row).get("stage") or 0)
    method = None if signoff.decision != "approve" else ("code" if signoff.code else "password")
    document.approvals.append(
        DocumentApproval(
            version_number=version.number,
            sha256=version.sha256,
            stage=stage,
            stage_name=stage_name,
            approver_id=user.id,
            decision=signoff.decision,
            comment=data["comment"] or None,
            method=method,
            ip=(signoff.ip or "")[:64] or None,
            user_agent=(signoff.user_agent or "")[:500] or None,
            task_id=row.id,
            at=now,
        )
    )
    log_event(
        document,
        "decision",
        f"{user.full_name}: {DECISIONS[signoff.decision]} (v{version.number})"
        + (f" — {data['comment']}" if data["comment"] else ""),
        user.id,
        now,
    )
    session.flush()
    return complete_process_task(session, engine, user, row.id, data)


def check_task(session: Session, user: User, row: HumanTask, data: dict) -> dict[str, list[str]]:
    """Approval tasks complete only through the sign-off; rework only after a new version."""
    from models.documents.approval import APPROVE_TASK, REWORK_TASK

    document = session.scalar(select(Document).where(Document.instance_id == row.instance_id))
    if document is None:
        return {}
    if row.element_id == APPROVE_TASK:
        signed = session.scalar(select(DocumentApproval.id).where(DocumentApproval.task_id == row.id))
        if signed is None:
            return {
                "_form": [
                    "Решение по документу принимается на странице согласования документа "
                    f"(/documents/{document.id}/approve/{row.id}) с подтверждением"
                ]
            }
    if row.element_id == REWORK_TASK:
        returned = [a.version_number for a in document.approvals if a.decision == "rework"]
        if returned and document.current_version <= max(returned):
            return {"_form": ["Сначала загрузите новую версию документа (или сформируйте заново)"]}
    return {}


def my_approvals(session: Session, user: User) -> list[tuple[HumanTask, Document]]:
    """«Мои согласования»: open approval tasks assigned to ``user`` with their documents."""
    from models.documents.approval import APPROVE_TASK, PROCESS

    rows = session.execute(
        select(HumanTask, Document)
        .join(Document, Document.instance_id == HumanTask.instance_id)
        .where(
            HumanTask.process_key == PROCESS,
            HumanTask.element_id == APPROVE_TASK,
            HumanTask.status == TaskStatus.OPEN,
            HumanTask.assignee_id == user.id,
        )
        .order_by(HumanTask.due_at, HumanTask.id)
    )
    return [(task, document) for task, document in rows]
