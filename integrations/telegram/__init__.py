"""Telegram (Bot API): account linking by a one-time code, the notifications channel, one-tap approvals."""

from __future__ import annotations

from integrations.catalog import ConnectionFailed, Integration, declare
from integrations.telegram import handlers
from integrations.telegram.bot import BotError, bot_from_settings
from integrations.telegram.prompts import prompts_job
from models.platform.registry import Registry


def _check(settings) -> str:
    try:
        me = bot_from_settings(settings).call("getMe", {})
    except BotError as exc:
        raise ConnectionFailed(exc.message) from None
    return f"Бот @{(me or {}).get('username', '?')} отвечает"


INTEGRATION = Integration(
    code="telegram",
    title="Telegram-бот",
    settings=("CRM_TELEGRAM_TOKEN", "CRM_TELEGRAM_SECRET", "CRM_TELEGRAM_API_URL"),
    configured=lambda s: bool(s.telegram_token and s.telegram_secret),
    check=_check,
    outbox_kinds=("telegram.send", "telegram.edit"),
    notes="Вебхук: /hooks/telegram (setWebhook с secret_token = CRM_TELEGRAM_SECRET).",
)


def register(registry: Registry) -> None:
    registry.outbox_handler("telegram.send", handlers.send)
    registry.outbox_handler("telegram.edit", handlers.edit)
    registry.job("telegram.prompts", prompts_job)
    declare(registry, INTEGRATION)
