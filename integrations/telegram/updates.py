"""Bot API updates posted to our webhook: linking an account, one-tap decisions, comments.

``handle_update`` runs in the webhook request's unit of work and never calls Telegram: what
the bot says goes into the outbox (``telegram.send`` / ``telegram.edit``), and the answer to
a tap is the webhook's own response body (``answerCallbackQuery`` as a method call, which
the Bot API accepts in the reply to a webhook).

- ``/start <code>`` (the deep link from the user's notifications page) links the chat to the
  account whose one-time code it is (15 minutes, once).
- A tap on «Согласовать» / «Отклонить» by the linked account of the prompt's user: when the
  process requires a comment, the bot asks for it and the next text from that chat is the
  comment; then the decision is recorded by the task kind's own service (same checks,
  deputies, audit as the browser) and the message is edited to show the result. A tap by an
  unlinked account, or by someone else's, changes nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, TaskStatus
from integrations.telegram.tables import TelegramLinkCode, TelegramPrompt, TelegramUpdateSeen
from models.notifications.messengers import TelegramLink, user_of_chat
from models.platform.audit import set_actor
from models.platform.outbox import queue_outbox
from models.tasks.approvables import DECISIONS, approvable_for

log = logging.getLogger(__name__)
HELP = (
    "Это бот CRM. Привяжите аккаунт: откройте в CRM «Уведомления» → «Привязать Telegram» и отправьте "
    "сюда код."
)


def _say(session: Session, chat_id: int, text: str, now: datetime, **extra: Any) -> None:
    queue_outbox(session, "telegram.send", {"chat_id": chat_id, "text": text[:4000], **extra}, now)


def _edit(session: Session, prompt: TelegramPrompt, text: str, now: datetime) -> None:
    if prompt.message_id is None:
        return
    payload = {"chat_id": prompt.chat_id, "message_id": prompt.message_id, "text": text[:4000]}
    queue_outbox(session, "telegram.edit", payload, now)


def _answer(callback_id: str, text: str) -> dict[str, Any]:
    return {"method": "answerCallbackQuery", "callback_query_id": callback_id, "text": text[:200]}


def _link(session: Session, chat: dict, sender: dict, code: str, now: datetime) -> None:
    row = session.get(TelegramLinkCode, code.strip().upper())
    chat_id = int(chat["id"])
    if row is None or row.used_at is not None or row.expires_at < now:
        _say(
            session,
            chat_id,
            "Код не подошёл или устарел. Получите новый в CRM: «Уведомления» → «Привязать Telegram».",
            now,
        )
        return
    if chat.get("type") != "private":
        _say(session, chat_id, "Привязать можно только личный чат с ботом.", now)
        return
    for old in session.scalars(
        select(TelegramLink).where((TelegramLink.chat_id == chat_id) | (TelegramLink.user_id == row.user_id))
    ):
        session.delete(old)
    session.flush()
    session.add(
        TelegramLink(user_id=row.user_id, chat_id=chat_id, username=sender.get("username"), linked_at=now)
    )
    row.used_at = now
    _say(
        session,
        chat_id,
        "Аккаунт CRM привязан. Сюда будут приходить выбранные уведомления и согласования.",
        now,
    )


def _decide(
    session: Session,
    engine: Any,
    prompt: TelegramPrompt,
    user: Any,
    decision: str,
    comment: str,
    now: datetime,
) -> str:
    """Record the decision through the task kind; a refusal is told to the user and changes nothing."""
    task = session.get(HumanTask, prompt.human_task_id)
    kind = approvable_for(task) if task is not None else None
    if task is None or kind is None or task.status != TaskStatus.OPEN:
        prompt.status, prompt.pending = "closed", None
        _edit(session, prompt, "Это согласование уже решено или закрыто.", now)
        return "Уже решено"
    summary = kind.summary(session, task)
    set_actor(user.id)  # the audit log names the approver, as for a decision made in the browser
    try:
        with session.begin_nested():
            message = kind.decide(session, engine, user, task, decision, comment)
    except Exception as exc:  # the kind's own refusals: conflicts, checks, rights — told, nothing kept
        errors = getattr(exc, "errors", None)
        text = (
            "; ".join(m for ms in errors.values() for m in ms)
            if isinstance(errors, dict)
            else (getattr(exc, "message", None) or str(exc))
        )
        log.info("telegram decision refused: %s", text)
        prompt.pending = None
        _say(session, prompt.chat_id, f"Решение не записано: {text}", now)
        return "Не записано"
    prompt.status, prompt.pending, prompt.decided_at = "decided", None, now
    prompt.result = f"{DECISIONS[decision]}: {user.full_name}"[:1000]
    mark = "✅ Согласовано" if decision == "approve" else "❌ Отклонено"
    _edit(session, prompt, f"{summary}\n\n{mark} — {user.full_name}\nКомментарий: {comment}\n{message}", now)
    return DECISIONS[decision]


def _on_callback(session: Session, engine: Any, callback: dict, now: datetime) -> dict[str, Any]:
    callback_id = str(callback.get("id", ""))
    sender = callback.get("from") or {}
    user = user_of_chat(session, int(sender.get("id", 0) or 0))
    if user is None:
        return _answer(callback_id, "Аккаунт Telegram не привязан к CRM: ничего не сделано")
    parts = str(callback.get("data", "")).split(":")
    if len(parts) != 3 or parts[0] != "ap" or not parts[1].isdigit() or parts[2] not in DECISIONS:
        return _answer(callback_id, "Неизвестная кнопка")
    prompt = session.get(TelegramPrompt, int(parts[1]))
    if prompt is None or prompt.user_id != user.id:
        return _answer(callback_id, "Это согласование адресовано не вам")
    message = callback.get("message") or {}
    if message.get("message_id"):
        prompt.message_id = int(message["message_id"])
    if prompt.status != "sent":
        return _answer(callback_id, "Уже решено")
    decision = parts[2]
    task = session.get(HumanTask, prompt.human_task_id)
    kind = approvable_for(task) if task is not None else None
    if (
        kind is not None
        and task is not None
        and task.status == TaskStatus.OPEN
        and kind.needs_comment(decision)
    ):
        prompt.pending = decision
        _say(
            session,
            prompt.chat_id,
            f"Решение «{DECISIONS[decision]}» по согласованию: напишите комментарий "
            "(обоснование) ответом на это сообщение.",
            now,
            reply_markup={"force_reply": True, "input_field_placeholder": "Комментарий к решению"},
        )
        return _answer(callback_id, "Напишите комментарий")
    return _answer(callback_id, _decide(session, engine, prompt, user, decision, "", now))


def _on_message(session: Session, engine: Any, message: dict, now: datetime) -> None:
    chat = message.get("chat") or {}
    sender = message.get("from") or {}
    text = str(message.get("text") or "").strip()
    if not chat.get("id"):
        return
    if text.startswith("/start"):
        code = text[len("/start") :].strip()
        if code:
            _link(session, chat, sender, code, now)
        else:
            _say(session, int(chat["id"]), HELP, now)
        return
    user = user_of_chat(session, int(sender.get("id", 0) or 0))
    if user is None:
        _say(session, int(chat["id"]), HELP, now)
        return
    prompt = session.scalar(
        select(TelegramPrompt)
        .where(TelegramPrompt.user_id == user.id, TelegramPrompt.pending.is_not(None))
        .order_by(TelegramPrompt.id.desc())
        .limit(1)
    )
    if prompt is None:
        _say(session, int(chat["id"]), "Нет согласования, ждущего комментария.", now)
        return
    if not text:
        _say(session, int(chat["id"]), "Комментарий нужен текстом.", now)
        return
    _decide(session, engine, prompt, user, prompt.pending or "", text, now)


def handle_update(session: Session, engine: Any, update: dict, now: datetime) -> dict[str, Any]:
    """Apply one Bot API update once; returns the webhook's response body (a method call or ``{}``)."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        return {}
    if session.get(TelegramUpdateSeen, update_id) is not None:
        return {}
    session.add(TelegramUpdateSeen(update_id=update_id, received_at=now))
    session.flush()
    if isinstance(update.get("callback_query"), dict):
        return _on_callback(session, engine, update["callback_query"], now)
    if isinstance(update.get("message"), dict):
        _on_message(session, engine, update["message"], now)
    return {}
