"""Days typed the Russian way: «31.12.2026» (what the date picker shows and people type) or the ISO
«2026-12-31» (what the picker sends and the API takes), parsed in one place."""

from __future__ import annotations

import re
from datetime import date

DATE_ERROR = "Дата в виде ДД.ММ.ГГГГ, например 31.12.2026"
_RUSSIAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_day(text: object) -> date:
    """The day of ``text`` (ДД.ММ.ГГГГ or ГГГГ-ММ-ДД); ``ValueError`` with a Russian message."""
    value = str(text).strip()
    match = _RUSSIAN.match(value)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(DATE_ERROR) from None


def russian_day(value: date | None) -> str:
    """«31.12.2026»; empty for none."""
    return value.strftime("%d.%m.%Y") if value else ""
