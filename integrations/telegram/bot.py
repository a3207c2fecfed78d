"""The Telegram Bot API client (``https://api.telegram.org/bot<token>/<method>``) and its stand-in.

Every call is a JSON POST with a timeout; the answer is ``{"ok": true, "result": …}`` or
``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``. Failures
are sorted: a timeout, a connection error, 429 (flood control) and 5xx are retryable
(``BotError.retryable``), 401 means a wrong token (fix the settings), 400/403 are answers
about the message itself (chat not found, bot blocked by the user) — retrying never helps.
The token is part of the URL, so it never reaches a log line.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 10.0


class BotError(Exception):
    def __init__(self, message: str, retryable: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.message, self.retryable, self.code = message, retryable, code


class Bot(Protocol):
    def call(self, method: str, params: dict[str, Any]) -> Any:
        """The method's ``result``; raises ``BotError``."""


class HttpBot:
    def __init__(
        self, api_url: str, token: str, timeout: float = DEFAULT_TIMEOUT, http: requests.Session | None = None
    ) -> None:
        self.base = f"{api_url.rstrip('/')}/bot{token}/"
        self.timeout = timeout
        self.http = http or requests.Session()

    def call(self, method: str, params: dict[str, Any]) -> Any:
        try:
            response = self.http.post(self.base + method, json=params, timeout=self.timeout)
        except requests.Timeout:
            raise BotError(f"Telegram не ответил за {self.timeout:g} с", retryable=True) from None
        except requests.RequestException as exc:
            log.warning("telegram unreachable: %s", type(exc).__name__)
            raise BotError("Telegram недоступен", retryable=True) from None
        try:
            body = response.json()
        except ValueError:
            raise BotError(
                f"Telegram ответил не в формате Bot API (код {response.status_code})",
                retryable=response.status_code >= 500,
            ) from None
        if not isinstance(body, dict):
            raise BotError("Telegram ответил не в формате Bot API", retryable=True)
        if body.get("ok") is True:
            return body.get("result")
        code = int(body.get("error_code") or response.status_code)
        text = str(body.get("description") or "")
        if code == 401:
            raise BotError("Telegram отклонил токен бота (CRM_TELEGRAM_TOKEN)", retryable=False, code=code)
        if code == 429 or code >= 500:
            wait = (body.get("parameters") or {}).get("retry_after")
            raise BotError(
                f"Telegram просит подождать{f' {wait} с' if wait else ''}: {text}", retryable=True, code=code
            )
        raise BotError(f"Telegram отказал ({code}): {text}", retryable=False, code=code)


class UnconfiguredBot:
    def call(self, method: str, params: dict[str, Any]) -> Any:
        raise BotError("Telegram не настроен (CRM_TELEGRAM_TOKEN)", retryable=False)


def bot_from_settings(settings: Any) -> Bot:
    if not getattr(settings, "telegram_token", ""):
        return UnconfiguredBot()
    timeout = float((getattr(settings, "extra", None) or {}).get("CRM_TELEGRAM_TIMEOUT", DEFAULT_TIMEOUT))
    return HttpBot(settings.telegram_api_url or "https://api.telegram.org", settings.telegram_token, timeout)
