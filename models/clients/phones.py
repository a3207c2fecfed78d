"""Phones and e-mail addresses in one canonical spelling.

People type Russian numbers in many ways («8 (495) 123-45-67», «+7 495 1234567»,
«495 123 45 67», «8-916-000-00-00 доб. 12»); the database keeps one form, ``+7XXXXXXXXXX``,
so that search and duplicate detection are plain index lookups. Foreign numbers keep
their country code (``+375…``). E-mails are trimmed and lower-cased: the domain part is
case-insensitive by standard, and in practice nobody relies on a case-sensitive local
part.
"""

from __future__ import annotations

import re

_EXTENSION_RE = re.compile(r"(доб\.?|добавочный|ext\.?|x)\s*\d+\s*$", re.IGNORECASE)
_PHONE_CHARS_RE = re.compile(r"^[\d\s()+\-.]+$")
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]{2,}$")
_SPLIT_RE = re.compile(r"[,;\n]+")


def normalize_phone(raw: str | None) -> str | None:
    """The canonical ``+7XXXXXXXXXX`` (or ``+<country><number>``) form, or None if not a phone.

    A trailing extension («доб. 12») is dropped: it does not identify the line.
    """
    text = (raw or "").strip()
    if not text:
        return None
    text = _EXTENSION_RE.sub("", text).strip()
    if not _PHONE_CHARS_RE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    international = text.startswith("+")
    if len(digits) == 10 and not international:
        return "+7" + digits
    if len(digits) == 11 and digits[0] in "78" and not (international and digits[0] == "8"):
        return "+7" + digits[1:]
    if international and digits[0] != "7" and 8 <= len(digits) <= 15:
        return "+" + digits
    return None


def phone_error(raw: str | None) -> str | None:
    """A Russian message when ``raw`` is not a phone number we can store, else None."""
    if normalize_phone(raw) is None:
        return f"Телефон «{(raw or '').strip()}» не похож на номер: ожидается, например, +7 495 123-45-67"
    return None


def normalize_email(raw: str | None) -> str | None:
    """The trimmed, lower-cased address, or None if it does not look like an e-mail."""
    text = (raw or "").strip().strip("<>").strip().lower()
    if not text or not _EMAIL_RE.match(text):
        return None
    return text


def email_error(raw: str | None) -> str | None:
    """A Russian message when ``raw`` is not an e-mail address, else None."""
    if normalize_email(raw) is None:
        return f"E-mail «{(raw or '').strip()}» указан неверно: ожидается, например, info@company.ru"
    return None


def split_values(raw: str | list[str] | None) -> list[str]:
    """Split a cell or textarea holding several phones or e-mails (comma, semicolon, new line)."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else _SPLIT_RE.split(str(raw))
    return [item.strip() for item in items if item and str(item).strip()]


def looks_like_phone(text: str) -> bool:
    """Whether a search box entry is meant as a phone number (only phone characters, ≥10 digits)."""
    return bool(_PHONE_CHARS_RE.match(text.strip())) and len(re.sub(r"\D", "", text)) >= 10
