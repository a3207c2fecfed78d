"""What the web layer calls for Telegram: the webhook (secret-token checked) and linking one's account."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from integrations.status import record
from integrations.telegram.tables import TelegramLinkCode
from integrations.telegram.updates import handle_update
from models.identity.users import User
from models.notifications.messengers import TelegramLink

CODE_LIFETIME = timedelta(minutes=15)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a screen


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def secret_ok(settings: Any, header: str | None) -> bool:
    expected = getattr(settings, "telegram_secret", "") or ""
    return bool(expected) and hmac.compare_digest(expected, header or "")


def receive(
    session: Session, engine: Any, settings: Any, header: str | None, update: Any, now: datetime
) -> dict[str, Any]:
    """One webhook call: refused (``Refused``) without the right secret token, else the update applied."""
    if not secret_ok(settings, header):
        raise Refused(403, "Неверный секретный токен вебхука (X-Telegram-Bot-Api-Secret-Token)")
    if not isinstance(update, dict):
        raise Refused(400, "Тело запроса — не обновление Bot API")
    return handle_update(session, engine, update, now)


def note_refusal(session: Session, message: str, now: datetime) -> None:
    record(session, "telegram", False, "Вебхук Telegram отклонён", message, now)


@dataclass(frozen=True)
class LinkPage:
    link: TelegramLink | None
    code: str | None
    expires_at: datetime | None


def link_page(session: Session, user: User) -> LinkPage:
    return LinkPage(session.get(TelegramLink, user.id), None, None)


def new_code(session: Session, user: User, now: datetime) -> LinkPage:
    """A one-time code (15 minutes) the user sends the bot as «/start <код»»."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(8))
    session.add(TelegramLinkCode(code=code, user_id=user.id, expires_at=now + CODE_LIFETIME))
    session.flush()
    return LinkPage(session.get(TelegramLink, user.id), code, now + CODE_LIFETIME)


def unlink(session: Session, user: User) -> None:
    link = session.get(TelegramLink, user.id)
    if link is not None:
        session.delete(link)
