"""Phones and e-mail addresses in one canonical spelling.

People type Russian numbers in many ways («8 (495) 123-45-67», «+7 495 1234567»,
«495 123 45 67», «8-916-000-00-00 доб. 12»); the database keeps one form, E.164
(``+7XXXXXXXXXX`` for Russian numbers), so that search and duplicate detection are plain
index lookups. Parsing and validation are libphonenumber's (the ``phonenumbers`` package):
a number without ``+`` is read as dialled in Russia (national prefix 8, international
prefix 810), a number with ``+`` keeps its country code (``+375…``), and only numbers that
exist in the country's numbering plan are accepted, so «+7 000 000-00-00» is refused.
Pages show numbers as «+7 (495) 500-55-50» (``display_phone``); stored values never change.

Extensions («доб. 12», «добавочный 12», «ext. 12», «x12») are recognised and dropped: they
do not identify the line, and the stored form has no room for them. We strip them ourselves
before libphonenumber sees the text because it does not know the full word «добавочный».

E-mails are trimmed and lower-cased: the domain part is case-insensitive by standard, and
in practice nobody relies on a case-sensitive local part.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber, PhoneNumberFormat, ValidationResult
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

# Numbers are read as dialled from Russia: «8 …» is the national prefix, «810 …» international.
DEFAULT_REGION = "RU"

_EXTENSION_RE = re.compile(r"(доб\.?|добавочный|ext\.?|x)\s*\d+\s*$", re.IGNORECASE)
# Only digits, spaces, brackets, plus, dots and dashes (hyphen, en/em dash, minus as pasted
# from office documents): a cell with words in it is a note, not a phone, even when
# libphonenumber could dig a number out of it.
_PHONE_CHARS_RE = re.compile(r"^[\d\s()+\-.\u2010-\u2015\u2212]+$")
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]{2,}$")
_SPLIT_RE = re.compile(r"[,;\n]+")
_EXAMPLE = "+7 495 123-45-67"
_SEPARATORS = str.maketrans("", "", " ()-")
_RUSSIAN_LEADS = frozenset("3489")  # first digits of Russian numbers (libphonenumber's RU leading digits)
# The number types libphonenumber tries in ``_number_type_helper``; any match makes a number valid.
_TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
               "voicemail", "fixed_line", "mobile")
_PLUS7_LENGTH = 10


def _parse(raw: str | None) -> PhoneNumber | None:
    """libphonenumber's reading of ``raw`` without its extension, or None if it is not a number."""
    text = _EXTENSION_RE.sub("", (raw or "").strip()).strip()
    if not text or not _PHONE_CHARS_RE.match(text):
        return None
    try:
        return phonenumbers.parse(text, DEFAULT_REGION)
    except NumberParseException:
        return None


def _russian_digits(raw: str | None) -> str | None:
    """The ten national digits libphonenumber would read from a plainly written Russian number, or None.

    ``phonenumbers.parse`` is most of an import row's cost, and almost every cell is spelled
    «+7 …», «8 …» or ten digits with spaces, brackets and dashes. For those its result is known
    without it: country code 7 and the ten digits (RU's national prefix for parsing is «8»;
    its international prefix «810» is left to ``parse``). Anything else (another country,
    «доб.», dots, full-width digits) returns None and goes through ``parse``;
    ``tests/clients/test_normalization.py`` compares both ways on many spellings.
    """
    digits = (raw or "").strip().translate(_SEPARATORS)
    if digits.startswith("+7"):
        rest = digits[2:]
    elif len(digits) == 11 and digits[0] == "8":
        rest = digits[1:]
    elif digits.startswith("810"):  # the international prefix: another country follows
        return None
    else:
        rest = digits
    if len(rest) != _PLUS7_LENGTH or rest[0] not in _RUSSIAN_LEADS or not (rest.isascii() and rest.isdigit()):
        return None
    return rest


def _russian_shortcut(raw: str | None) -> PhoneNumber | None:
    """``_russian_digits`` as libphonenumber's number object."""
    rest = _russian_digits(raw)
    return None if rest is None else PhoneNumber(country_code=7, national_number=int(rest))


def _alternatives(descs: list, length: int) -> re.Pattern[str] | None:
    """One pattern matching what any of ``descs`` accepts at ``length`` digits (None: none does)."""
    patterns = [d.national_number_pattern for d in descs if d is not None and d.national_number_pattern
                and (not d.possible_length or length in d.possible_length)]
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


@cache
def _plus7_regions() -> list[tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]]:
    """Per region of country code 7 (RU, KZ): leading digits, general pattern, any-type pattern."""
    regions = []
    for region in COUNTRY_CODE_TO_REGION_CODE[7]:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is None:
            continue
        leading = re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None
        regions.append((leading, _alternatives([metadata.general_desc], _PLUS7_LENGTH),
                        _alternatives([getattr(metadata, name) for name in _TYPE_DESCS], _PLUS7_LENGTH)))
    return regions


def _valid_plus7(national: str) -> bool:
    """``phonenumbers.is_valid_number`` for +7 and ten national digits, with its patterns precompiled.

    The same steps as libphonenumber's (the region by leading digits or, for a region
    without them, by validity; then the general pattern and any number type's pattern),
    with each region's type patterns joined into one expression: one regular-expression
    call instead of about a dozen function calls per number. Checked against
    ``is_valid_number`` in ``tests/clients/test_normalization.py``.
    """
    for leading, general, types in _plus7_regions():
        fits = general is not None and types is not None and general.fullmatch(national) is not None \
            and types.fullmatch(national) is not None
        if leading is not None:
            if leading.match(national):
                return fits
        elif fits:
            return True
    return False


@lru_cache(maxsize=1 << 16)
def normalize_phone(raw: str | None) -> str | None:
    """The E.164 form (``+74951234567``, ``+375291234567``) of a valid number, else None.

    A trailing extension («доб. 12») is dropped: it does not identify the line. Plain Russian
    spellings take the precompiled path (``_russian_digits``, ``_valid_plus7``); answers are
    kept per distinct input (an import repeats the phones of its duplicate rows).
    """
    national = _russian_digits(raw)
    if national is not None:
        return "+7" + national if _valid_plus7(national) else None
    number = _parse(raw)
    if number is None or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_error(raw: str | None) -> str | None:
    """A Russian message when ``raw`` is not a phone number we can store, else None."""
    number = _parse(raw)
    if number is not None and phonenumbers.is_valid_number(number):
        return None
    text = (raw or "").strip()
    # The right length for the country but no such range (area code, operator): say so.
    if number is not None and phonenumbers.is_possible_number_with_reason(
            number) == ValidationResult.IS_POSSIBLE:
        return (f"Телефон «{text}»: такого номера нет в плане нумерации, проверьте код города "
                f"или оператора (например, {_EXAMPLE})")
    return f"Телефон «{text}» не похож на номер: ожидается, например, {_EXAMPLE}"


@lru_cache(maxsize=65_536)
def display_phone(value: str | None) -> str:
    """A stored number as people read it: «+7 (495) 500-55-50», «+375 29 123-45-67».

    Russian (and other +7) numbers take the national layout with its bracketed area code,
    the national prefix 8 replaced by +7; other countries the international layout. A value
    libphonenumber does not consider valid (typed before numbers were validated) is shown
    as stored. Remembered per value: libphonenumber's parse and layout (a regular expression
    template per group) were a fifth of the CPU of a client list page, whose phones repeat
    from page to page; 65,536 numbers are a few megabytes.
    """
    if not value:
        return ""
    number = _parse(value)
    if number is None or not phonenumbers.is_valid_number(number):
        return value
    if number.country_code == 7:
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if national.startswith("8 "):
            return "+7 " + national[2:]
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


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
