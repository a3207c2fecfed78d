"""Feedback on a step («непонятно», «лишний шаг», free text) from the task page to the process owner.

Whoever may see a process task may leave feedback on its step. It is stored with the
process, version and BPMN element, the owner is told through ``notify()`` (in the app, and by
e-mail if they want this kind so), and the studio counts it on the element.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.identity.users import User
from models.notifications.service import notify
from models.studio.errors import StudioError
from models.studio.owners import answerable
from models.studio.tables import FEEDBACK_LABELS, StepFeedback
from models.tasks.service import get_task

MAX_TEXT = 2000


def leave_feedback(
    session: Session, user: User, task_id: int, kind: str, text: str, now: datetime
) -> StepFeedback:
    """Store feedback on the step of process task ``task_id`` and tell the process owner."""
    row = get_task(session, user, "process", task_id)  # NotFound / AccessDenied like the page itself
    assert isinstance(row, HumanTask)
    text = (text or "").strip()
    if kind not in FEEDBACK_LABELS:
        raise StudioError("Выберите, что не так: «Непонятно», «Лишний шаг» или «Другое»")
    if kind == "other" and not text:
        raise StudioError("Напишите, что не так с этим шагом")
    if len(text) > MAX_TEXT:
        raise StudioError(f"Отзыв длиннее {MAX_TEXT} знаков")
    version = row.instance.definition.version
    feedback = StepFeedback(
        process_key=row.process_key,
        version=version,
        element_id=row.element_id,
        element_name=row.title,
        human_task_id=row.id,
        kind=kind,
        text=text,
        user_id=user.id,
        created_at=now,
    )
    session.add(feedback)
    session.flush()
    label = FEEDBACK_LABELS[kind]
    body = (
        f"{user.full_name} о шаге «{row.title}» процесса «{row.instance.title}» (версия {version}): {label}."
    )
    if text:
        body += f" «{text}»"
    notify(
        session,
        answerable(session, row.process_key),
        "process_feedback",
        f"Отзыв о шаге «{row.title}»: {label.lower()}",
        body,
        now,
        object_type="process_feedback",
        object_id=feedback.id,
    )
    return feedback


def feedback_counts(session: Session, key: str) -> dict[str, dict[str, int]]:
    """Element → {kind: count} of feedback on process ``key`` (all versions)."""
    rows = session.execute(
        select(StepFeedback.element_id, StepFeedback.kind, func.count())
        .where(StepFeedback.process_key == key)
        .group_by(StepFeedback.element_id, StepFeedback.kind)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for element, kind, count in rows:
        counts[element][kind] = count
    return dict(counts)


def recent_feedback(session: Session, key: str, limit: int = 200) -> list[StepFeedback]:
    return list(
        session.scalars(
            select(StepFeedback)
            .where(StepFeedback.process_key == key)
            .order_by(StepFeedback.id.desc())
            .limit(limit)
        )
    )
