"""Outbox handlers: ``telegram.send`` (sendMessage) and ``telegram.edit`` (editMessageText, buttons removed).

A retryable failure raises, so the outbox retries with back-off; an answer about the message
itself (400 chat not found, 403 the user blocked the bot) is final and kept as the row's
result instead of being retried ten times. The outbox row id is the idempotency key of
the send (its dedupe key for prompts), so a prompt is sent once.
"""

from __future__ import annotations

from typing import Any

from integrations.telegram.bot import BotError, bot_from_settings
from models.platform.outbox import OutboxMessage


def _call(settings: Any, method: str, params: dict[str, Any]) -> dict:
    try:
        result = bot_from_settings(settings).call(method, params)
    except BotError as exc:
        if exc.retryable or exc.code in (None, 401):
            raise
        return {"error": exc.message}
    return {"message_id": result.get("message_id")} if isinstance(result, dict) else {"ok": True}


def send(row: OutboxMessage, settings: Any) -> dict:
    p = row.payload
    params = {"chat_id": p["chat_id"], "text": p["text"]}
    if p.get("reply_markup"):
        params["reply_markup"] = p["reply_markup"]
    return _call(settings, "sendMessage", params)


def edit(row: OutboxMessage, settings: Any) -> dict:
    p = row.payload
    return _call(
        settings,
        "editMessageText",
        {"chat_id": p["chat_id"], "message_id": p["message_id"], "text": p["text"]},
    )
