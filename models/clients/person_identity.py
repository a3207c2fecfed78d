"""A person's identity besides phone and e-mail: date of birth, passport, address.

People (individual clients, contacts) may be stored without a phone or an e-mail when one of
these is given, and the duplicate hints for people (``models.quality.person_match``, through
the ``PERSON_HINTS`` port) use them. The passport is never stored in clear: only a keyed
hash (HMAC with the installation's secret, so equal passports compare equal and the ten
digits cannot be recovered by trying all 10¹⁰ of them without the key) and a mask for the
screen («45 ** ****78»). The key is the ``PASSPORT_KEY`` service the app factory declares.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from models.platform.registry import installed

if TYPE_CHECKING:
    from models.clients.cards import Client

PASSPORT_KEY = "clients.passport_key"
PERSON_HINTS = "clients.person_hints"
EARLIEST_BIRTH = date(1900, 1, 1)

# (session, client, limit) -> [(candidate client, points, reasons)] — implemented by models.quality
PersonHints = Callable[[Session, "Client", int], list[tuple["Client", int, list[str]]]]


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def passport_hash(secret: str, series_number: str | None) -> str | None:
    """A keyed hash of the passport's ten digits (the number itself is never stored)."""
    value = _digits(series_number)
    if len(value) != 10:
        return None
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def passport_mask(series_number: str | None) -> str | None:
    value = _digits(series_number)
    return f"{value[:2]} ** ****{value[-2:]}" if len(value) == 10 else None


def installed_key() -> str:
    key = installed().services.get(PASSPORT_KEY)
    if not key:
        raise RuntimeError("Ключ паспортных данных не задан: приложение создаётся через web.create_app")
    return str(key)


def parse_birth_date(raw: Any, today: date, errors: dict[str, str]) -> date | None:
    """ДД.ММ.ГГГГ (or ISO from the API); in the past and not before 1900."""
    if isinstance(raw, date):
        value: date | None = raw
    else:
        text = str(raw or "").strip()
        if not text:
            return None
        value = None
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                value = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        if value is None:
            errors["birth_date"] = "Дата рождения: в формате ДД.ММ.ГГГГ"
            return None
    if value is None or not EARLIEST_BIRTH <= value < today:
        errors["birth_date"] = "Дата рождения должна быть в прошлом и не раньше 1900 года"
        return None
    return value


def clean_identity(raw: Any, values: dict[str, Any], errors: dict[str, str], today: date) -> None:
    """Birth date and passport of a person into ``values``; a passport not typed keeps the stored one."""
    values["birth_date"] = parse_birth_date(raw.get("birth_date"), today, errors)
    typed = str(raw.get("passport") or "").strip()
    if typed:
        if len(_digits(typed)) != 10 or re.search(r"[^\d\s№-]", typed):
            errors["passport"] = "Паспорт: серия и номер — 10 цифр, например 45 12 345678"
        else:
            values["passport_hash"] = passport_hash(installed_key(), typed)
            values["passport_masked"] = passport_mask(typed)
    elif str(raw.get("passport_clear") or "") in {"1", "on", "true"}:
        values["passport_hash"] = values["passport_masked"] = None


def has_identity(values: dict[str, Any], raw: Any) -> bool:
    """Enough to tell a person apart without phone or e-mail."""
    return bool(values.get("birth_date") or values.get("passport_hash") or raw.get("passport_masked")
                or values.get("legal_address") or values.get("postal_address") or values.get("address"))


def person_hints(session: Session, client: Client, limit: int = 10) -> list[tuple[Client, int, list[str]]]:
    """Likely duplicates of a person by the quality package's score (empty without it)."""
    hints = installed().services.get(PERSON_HINTS)
    return list(hints(session, client, limit)) if hints is not None else []  # type: ignore[operator]
