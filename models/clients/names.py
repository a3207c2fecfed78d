"""Names of clients in the form search and duplicate detection compare.

«ООО "Ромашка"», «Общество с ограниченной ответственностью «РОМАШКА»» and «ромашка» are
the same name to a person, so the database keeps a normalised *search name*: lower case,
«ё» as «е», legal forms (ООО, АО, ПАО, ИП, their long spellings, …) and quotes removed,
punctuation turned into spaces, every word once. Search by a fragment and the «similar
name» duplicate check both read it.
"""

from __future__ import annotations

import re

# Long forms first: they contain words («общество») that are not forms on their own.
LEGAL_FORMS_LONG = (
    ("публичное акционерное общество", "ПАО"),
    ("непубличное акционерное общество", "НАО"),
    ("закрытое акционерное общество", "ЗАО"),
    ("открытое акционерное общество", "ОАО"),
    ("акционерное общество", "АО"),
    ("общество с ограниченной ответственностью", "ООО"),
    ("индивидуальный предприниматель", "ИП"),
    ("федеральное государственное бюджетное учреждение", "ФГБУ"),
    ("государственное бюджетное учреждение", "ГБУ"),
    ("муниципальное унитарное предприятие", "МУП"),
    ("государственное унитарное предприятие", "ГУП"),
    ("автономная некоммерческая организация", "АНО"),
)
LEGAL_FORMS_SHORT = frozenset({
    "ооо", "оао", "зао", "пао", "нао", "ао", "ип", "пбоюл", "фгуп", "гуп", "муп", "ано",
    "ооо.", "llc", "ltd", "inc", "gmbh", "jsc", "pjsc",
})
_QUOTES_RE = re.compile(r"[\"'«»“”„‘’`]")
_NON_WORD_RE = re.compile(r"[^\w]+", re.UNICODE)
MIN_FRAGMENT = 2  # shorter words in a search box are too broad to mean anything


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def name_words(text: str | None) -> list[str]:
    """The significant words of a name, normalised, in order, each once."""
    folded = _fold(text or "")
    for long_form, _short in LEGAL_FORMS_LONG:
        folded = folded.replace(long_form, " ")
    folded = _NON_WORD_RE.sub(" ", _QUOTES_RE.sub(" ", folded)).replace("_", " ")
    words: list[str] = []
    for word in folded.split():
        if word in LEGAL_FORMS_SHORT or word in words:
            continue
        words.append(word)
    return words


def search_name(*names: str | None) -> str:
    """The stored search name of a client: words of all its names, each once, max 600 chars."""
    words: list[str] = []
    for name in names:
        for word in name_words(name):
            if word not in words:
                words.append(word)
    return " ".join(words)[:600]


def query_words(text: str) -> list[str]:
    """Words typed into a search box, normalised like names; too-short ones dropped."""
    words = [w for w in _NON_WORD_RE.sub(" ", _QUOTES_RE.sub(" ", _fold(text))).split()
             if w not in LEGAL_FORMS_SHORT]
    long_enough = [w for w in words if len(w) >= MIN_FRAGMENT]
    return long_enough or words


def name_suffixes(search_text: str) -> set[str]:
    """Every suffix (≥ 2 letters) of every word: the SQLite substring index keys.

    A fragment typed by a user is a substring of a word exactly when it is a prefix of one
    of that word's suffixes, so one index range scan answers «contains».
    """
    result: set[str] = set()
    for word in search_text.split():
        word = word[:40]
        for start in range(max(len(word) - MIN_FRAGMENT + 1, 1)):
            result.add(word[start:])
    return result


def short_form(full_name: str) -> str:
    """A short name from a full one: «Акционерное общество «Вектор»» → «АО «Вектор»»."""
    text = " ".join((full_name or "").split())
    lowered = text.lower()
    for long_form, short in LEGAL_FORMS_LONG:
        if lowered.startswith(long_form):
            return f"{short} {text[len(long_form):].strip()}".strip()
    return text
