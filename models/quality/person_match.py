"""Person duplicates: normalising identities, blocking keys and a multi-field score with reasons.

People (individual clients, contacts) may come without a phone or an e-mail, so a hint uses
whatever identity there is: the name (with initials, swapped given/family names and Latin
transliterations), the birth date, the passport (compared by a keyed hash, never in clear),
the address, the phone and the e-mail. Each field adds points with a reason; a pair is a
hint at ``THRESHOLD``. The name alone gives at most ``NAME_MAX`` < ``THRESHOLD`` points and a
one-word name half of it, so a name never makes a hint by itself.

Candidates come from several blocking keys (``block_keys``): the first *and* the last three
letters of each name word with the birth year or another word's initial, the birth date,
the phone, the e-mail and the passport hash — so a typo in the first letters of a surname,
or given and family names swapped, still shares a block with the right record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from models.clients.person_identity import passport_hash, passport_mask  # noqa: F401  (one hash for all)

THRESHOLD = 60
NAME_MAX = 40
_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
                 "s",
                 "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "iu", "ia"], strict=True))
# Latin spellings people type for the same sounds, folded to one form
_LATIN_FOLD = (("shch", "sch"), ("sch", "sh"), ("kh", "h"), ("ks", "x"), ("yu", "iu"), ("ju", "iu"),
               ("ya", "ia"), ("ja", "ia"), ("yo", "e"), ("jo", "e"), ("ts", "c"), ("tz", "c"), ("w", "v"),
               ("y", "i"), ("j", "i"), ("ph", "f"), ("ck", "k"), ("q", "k"))
WORD_RE = re.compile(r"[a-zа-яё]+", re.IGNORECASE)


def latin(word: str) -> str:
    """One Latin spelling of a name word, Cyrillic or Latin, so «Щукин» and «Shchukin»/«Schukin» agree."""
    text = "".join(_CYR.get(ch, ch) for ch in word.lower())
    for old, new in _LATIN_FOLD:
        text = text.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", text)  # doubled letters: «Ковалёва»/«Kovaleva»/«Kovalyova»


def name_tokens(full_name: str | None) -> list[str]:
    return [latin(w) for w in WORD_RE.findall(full_name or "")]


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


@dataclass
class Identity:
    key: int
    names: list[str]
    birth_date: date | None = None
    passport: str | None = None  # the keyed hash
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    reasons: list[str] = field(default_factory=list)


def _token_score(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if len(a) == 1 or len(b) == 1:  # an initial
        return 0.7 if a[0] == b[0] else 0.0
    return JaroWinkler.similarity(a, b)


def name_score(a: list[str], b: list[str]) -> tuple[float, str]:
    """Best alignment of name words in any order (swapped given and family names), 0..1, with a reason."""
    if not a or not b:
        return 0.0, ""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    used: set[int] = set()
    total = 0.0
    for word in short:
        best, at = 0.0, -1
        for i, other in enumerate(long):
            if i not in used and (s := _token_score(word, other)) > best:
                best, at = s, i
        if at >= 0:
            used.add(at)
        total += best
    value = total / len(short)
    if min(len(a), len(b)) == 1:
        value *= 0.5  # one word (a surname alone) says little
    swapped = len(a) >= 2 and len(b) >= 2 and _token_score(a[0], b[0]) < 0.8 <= _token_score(a[0], b[1])
    reason = "ФИО совпадает" if value > 0.97 else "ФИО похоже"
    return value, reason + (" (имя и фамилия переставлены)" if swapped else "")


def _dates(a: date, b: date) -> tuple[int, str]:
    if a == b:
        return 30, "дата рождения совпадает"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 18, "дата рождения: переставлены день и месяц"
    same = sum(x == y for x, y in ((a.year, b.year), (a.month, b.month), (a.day, b.day)))
    return (12, "дата рождения отличается одной частью") if same == 2 else (-15, "")


def score(a: Identity, b: Identity) -> tuple[int, list[str]]:
    """Points (a hint at ``THRESHOLD``) and the reasons, in Russian."""
    points, reasons = 0.0, []
    similarity, why = name_score(a.names, b.names)
    if similarity >= 0.75:
        points += NAME_MAX * similarity
        reasons.append(why)
    elif similarity < 0.5:
        points -= 15
    if a.birth_date and b.birth_date:
        add, why = _dates(a.birth_date, b.birth_date)
        points += add
        if why:
            reasons.append(why)
    for label, x, y, weight in (("паспорт", a.passport, b.passport, 45), ("телефон", a.phone, b.phone, 30),
                                ("e-mail", a.email, b.email, 30)):
        if x and y:
            if x == y:
                points += weight
                reasons.append(f"{label} совпадает")
            elif label == "паспорт":
                points -= 25
    if a.address and b.address:
        ratio = token_set_ratio(a.address, b.address)
        if ratio >= 85:
            points += 15 * ratio / 100
            reasons.append("адрес совпадает" if ratio > 97 else "адрес похож")
    return round(points), reasons


def block_keys(identity: Identity) -> set[str]:
    """Several keys per person, so one typo or a swap never leaves a true pair without a shared block."""
    keys: set[str] = set()
    names = identity.names
    year = str(identity.birth_date.year) if identity.birth_date else None
    for i, word in enumerate(names):
        if len(word) < 2:
            continue
        for part in (word[:3], word[-3:]):
            if year:
                keys.add(f"ny:{part}:{year}")
            for j, other in enumerate(names):  # with another word: its initial, or its first or last letters
                if j != i:
                    for tail in ({other} if len(other) == 1 else {other[:3], other[-3:], other[0]}):
                        keys.add(f"nn:{part}:{tail}")
    if identity.birth_date:
        keys.add(f"d:{identity.birth_date.isoformat()}")
    for prefix, value in (("p", identity.phone), ("e", identity.email), ("pp", identity.passport)):
        if value:
            keys.add(f"{prefix}:{value}")
    return keys
