"""Russian words to search stems: one tokenizer and one stemmer for indexing, querying and highlighting.

SQLite has no Russian morphology, so every text is stored in its FTS5 table as the
Snowball stems of its words (``snowballstemmer``, the same Snowball algorithm PostgreSQL's
``russian`` configuration uses): «возражения», «возражение» and «возражений» all become
«возражен». Queries are stemmed the same way, and the snippets mark the words whose stem
was asked for, so both databases find and highlight the same words. Latin words go
through the English stemmer; numbers are kept as they are. «ё» is «е».
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)
MAX_QUERY_WORDS = 8
# Words too common to narrow a search (the head of PostgreSQL's Russian stop list), dropped
# from SQLite's index and from queries on both databases, so both ask the same question.
STOP_WORDS = frozenset([
    "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так",
    "его", "но", "да", "ты", "к", "у", "же", "вы", "за", "бы", "по", "только", "ее", "мне", "было",
    "вот", "от", "меня", "еще", "нет", "о", "из", "ему", "теперь", "когда", "даже", "ну", "вдруг",
    "ли", "если", "уже", "или", "ни", "быть", "был", "него", "до", "вас", "нибудь", "опять", "уж",
    "вам", "ведь", "там", "потом", "себя", "ничего", "ей", "может", "они", "тут", "где", "есть",
    "надо", "ней", "для", "мы", "тебя", "их", "чем", "была", "сам", "чтоб", "без", "будто", "чего",
    "раз", "тоже", "себе", "под", "будет", "ж", "тогда", "кто", "этот", "того", "потому", "этого",
    "какой", "совсем", "ним", "здесь", "этом", "один", "почти", "мой", "тем", "чтобы", "нее",
    "сейчас", "были", "куда", "зачем", "всех", "никогда", "можно", "при", "наконец", "два", "об",
    "другой", "хоть", "после", "над", "больше", "тот", "через", "эти", "нас", "про", "всего",
    "них", "какая", "много", "разве", "три", "эту", "моя", "впрочем", "хорошо", "свою", "этой",
    "перед", "иногда", "лучше", "чуть", "том", "нельзя", "такой", "им", "более", "всегда",
    "конечно", "всю", "между",
])

_RU = snowballstemmer.stemmer("russian")
_EN = snowballstemmer.stemmer("english")


def normalize(word: str) -> str:
    return word.lower().replace("ё", "е")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one normalised word (cached: a language has far fewer words than texts)."""
    if word.isdigit():
        return word
    if re.search("[а-я]", word):
        return _RU.stemWord(word)
    return _EN.stemWord(word)


def words(text: str) -> list[str]:
    """The normalised words of ``text`` in order."""
    return [normalize(w) for w in WORD_RE.findall(text or "")]


def text_stems(text: str) -> str:
    """What SQLite's FTS5 table holds for ``text``: its stems, space-separated, stop words left out."""
    return " ".join(stem(w) for w in words(text) if w not in STOP_WORDS)


def query_stems(query: str) -> list[str]:
    """The distinct stems a query asks for, in order (at most ``MAX_QUERY_WORDS``)."""
    seen: list[str] = []
    for word in words(query):
        if word in STOP_WORDS:
            continue
        value = stem(word)
        if value and value not in seen:
            seen.append(value)
    return seen[:MAX_QUERY_WORDS]
