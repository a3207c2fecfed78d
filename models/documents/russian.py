"""Russian conventions of business documents: money in figures and in words, dates, the genitive case.

- money «1 234 567,89 ₽» (no-break spaces between thousands) and in words by pytils,
  after rounding the ``Decimal`` half-up to kopecks (pytils truncates and refuses negatives):
  «один миллион двести тридцать четыре тысячи пятьсот шестьдесят семь рублей 89 копеек»;
- dates «30 ноября 2026 г.»;
- a signatory in the genitive case («в лице Генерального директора Иванова Ивана Ивановича»)
  by pymorphy3: the person's gender is read from the first name or patronymic so a surname
  like «Петрова» is declined as a woman's («Петровой»), and capitalisation is kept.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from pytils import numeral

NBSP = "\u00a0"
MONTHS_GEN = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
CENT = Decimal("0.01")


def rounded(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal | int | str | None, sign: bool = True) -> str:
    """«1 234 567,89 ₽»."""
    if value is None:
        return ""
    amount = rounded(value)
    whole, cents = f"{abs(amount):,.2f}".split(".")
    text = ("-" if amount < 0 else "") + whole.replace(",", NBSP) + "," + cents
    return f"{text}{NBSP}₽" if sign else text


def money_words(value: Decimal | int | str) -> str:
    """«один миллион … пятьсот шестьдесят семь рублей 89 копеек» (kopecks in figures, as in contracts)."""
    amount = rounded(value)
    if amount < 0:
        raise ValueError("Сумма прописью: отрицательная сумма")
    rubles = int(amount)
    kopecks = int((amount - rubles) * 100)
    words = (
        numeral.sum_string(rubles, numeral.MALE, ("рубль", "рубля", "рублей")) if rubles else "ноль рублей"
    )
    return f"{words} {kopecks:02d} {numeral.choose_plural(kopecks, ('копейка', 'копейки', 'копеек'))}"


def date_long(value: date | None) -> str:
    """«30 ноября 2026 г.»."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS_GEN[value.month - 1]} {value.year} г."


def date_short(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3  # loads its dictionaries (≈ 0.5 s): only when a document asks for the genitive

    return pymorphy3.MorphAnalyzer()


def _keep_case(source: str, word: str) -> str:
    if source.isupper() and len(source) > 1:
        return word.upper()
    if source[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _gender(parts: list[str]) -> str:
    morph = _morph()
    for word in parts[1:]:
        for parse in morph.parse(word):
            if {"Name", "Patr"} & set(parse.tag.grammemes) and parse.tag.gender:
                return str(parse.tag.gender)
    return "masc"


def _inflect_word(word: str, want: set[str], prefer: str | None = None) -> str:
    morph = _morph()
    parses = morph.parse(word)
    chosen = None
    for parse in parses:
        grammemes = set(parse.tag.grammemes)
        if "nomn" in grammemes and (prefer is None or prefer in grammemes):
            chosen = parse
            break
    if chosen is None:
        chosen = next((p for p in parses if "nomn" in p.tag.grammemes), None)
    if chosen is None:
        return word
    form = chosen.inflect(want)
    return _keep_case(word, form.word) if form is not None else word


def _inflect_name_word(word: str, gender: str) -> str:
    morph = _morph()
    for parse in morph.parse(word):
        grammemes = set(parse.tag.grammemes)
        if (
            {"Surn", "Name", "Patr"} & grammemes
            and "nomn" in grammemes
            and (parse.tag.gender == gender or "ms-f" in grammemes)
        ):
            form = parse.inflect({"gent", gender} if "Surn" in grammemes else {"gent"})
            if form is not None:
                return _keep_case(word, form.word)
    if gender == "femn" and word.endswith(("ова", "ева", "ина", "ына")):
        return word[:-1] + "ой"
    if gender == "femn":
        return word  # «Ким», «Шевчук»: women's surnames on a consonant do not decline
    return _inflect_word(word, {"gent"})


def acting(full_name: str | None) -> str:
    """«действующего» or «действующей»: the participle after «в лице …» agrees with the person."""
    parts = (full_name or "").split()
    return "действующей" if parts and _gender(parts) == "femn" else "действующего"


def person_genitive(full_name: str | None) -> str:
    """«Иванов Иван Иванович» → «Иванова Ивана Ивановича»; «Петрова Анна» → «Петровой Анны»."""
    parts = (full_name or "").split()
    if not parts:
        return ""
    gender = _gender(parts)
    return " ".join(_inflect_name_word(word, gender) for word in parts)


def position_genitive(position: str | None) -> str:
    """«Генеральный директор» → «Генерального директора»; words after the head noun stay (of the company…)."""
    words = (position or "").split()
    result: list[str] = []
    head_seen = False
    for word in words:
        if head_seen:
            result.append(word)
            continue
        parses = _morph().parse(word)
        noun = any("NOUN" in p.tag and "nomn" in p.tag for p in parses[:1])
        adjective = any(("ADJF" in p.tag or "PRTF" in p.tag) for p in parses[:1])
        if noun:
            result.append(_inflect_word(word, {"gent"}, prefer="NOUN"))
            head_seen = True
        elif adjective:
            result.append(_inflect_word(word, {"gent", "sing"}))
        else:
            result.append(word)
    return " ".join(result)


def in_person_of(position: str | None, full_name: str | None) -> str:
    """«Генерального директора Иванова Ивана Ивановича» (a position opens with a capital, as in contracts)."""
    pos = position_genitive(position)
    pos = pos[:1].upper() + pos[1:] if pos else ""
    return " ".join(x for x in (pos, person_genitive(full_name)) if x)


def initials(full_name: str | None) -> str:
    """«Иванов Иван Иванович» → «Иванов И. И.» (under a signature line)."""
    parts = (full_name or "").split()
    if not parts:
        return ""
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:3])])
