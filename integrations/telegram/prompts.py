"""The ``telegram.prompts`` job: open approval tasks → a message with «Согласовать / Отклонить / Открыть».

Every approvable task kind (``models.tasks.approvables``) is asked: its open approval tasks
go to the assignee — or, for a queue, to every user of the candidate role — who has linked
Telegram, once per task and user (``telegram_prompt``). The message leaves through the
outbox (``telegram.send``). Decisions made in the browser close the prompt's buttons when
they are tapped («уже решено»).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, TaskStatus
from integrations.telegram.tables import TelegramPrompt
from models.identity.users import User
from models.notifications.messengers import TelegramLink
from models.platform.jobs import JobContext, run_unit
from models.platform.outbox import queue_outbox
from models.tasks.approvables import DECISIONS, approvable_kinds

BATCH = 200


def keyboard(prompt_id: int, task_url: str) -> dict[str, Any]:
    row = [{"text": label, "callback_data": f"ap:{prompt_id}:{code}"} for code, label in DECISIONS.items()]
    return {"inline_keyboard": [row, [{"text": "Открыть", "url": task_url}]]}


def task_url(settings: Any, task_id: int) -> str:
    return f"{settings.public_url}/inbox/process/{task_id}"


def _recipients(session: Session, row: HumanTask) -> list[TelegramLink]:
    if row.assignee_id is not None:
        link = session.get(TelegramLink, row.assignee_id)
        return [link] if link is not None else []
    if not row.candidate_role:
        return []
    return list(
        session.scalars(
            select(TelegramLink)
            .join(User, User.id == TelegramLink.user_id)
            .where(User.role == row.candidate_role, User.is_active)
        )
    )


def offer(session: Session, row: HumanTask, settings: Any, now: datetime) -> int:
    """Send task ``row`` to its linked recipients not yet prompted; returns how many prompts were made."""
    kind = next((k for k in approvable_kinds() if k.process_key == row.process_key), None)
    if kind is None:
        return 0
    made = 0
    for link in _recipients(session, row):
        exists = session.scalar(
            select(TelegramPrompt.id).where(
                TelegramPrompt.human_task_id == row.id, TelegramPrompt.user_id == link.user_id
            )
        )
        if exists is not None:
            continue
        prompt = TelegramPrompt(
            human_task_id=row.id, user_id=link.user_id, chat_id=link.chat_id, status="sent", created_at=now
        )
        session.add(prompt)
        session.flush()
        text = kind.summary(session, row)
        queue_outbox(
            session,
            "telegram.send",
            {
                "chat_id": link.chat_id,
                "text": text,
                "reply_markup": keyboard(prompt.id, task_url(settings, row.id)),
            },
            now,
            dedupe_key=f"telegram.prompt:{prompt.id}",
        )
        made += 1
    return made


def prompts_job(context: JobContext) -> int:
    kinds = approvable_kinds()
    if not kinds or not getattr(context.settings, "telegram_token", ""):
        return 0
    with context.session_factory() as session:
        linked = session.scalar(select(TelegramLink.user_id).limit(1))
        if linked is None:
            return 0
        ids = []
        for kind in kinds:
            ids += session.scalars(
                select(HumanTask.id)
                .where(
                    HumanTask.process_key == kind.process_key,
                    HumanTask.element_id.in_(kind.elements),
                    HumanTask.status == TaskStatus.OPEN,
                )
                .order_by(HumanTask.id)
                .limit(BATCH)
            ).all()
    total = 0
    for task_id in ids:

        def work(session: Session, task_id: int = task_id) -> int:
            row = session.get(HumanTask, task_id)
            return offer(session, row, context.settings, context.clock.now()) if row is not None else 0

        total += run_unit(context.session_factory, work) or 0
    return total
