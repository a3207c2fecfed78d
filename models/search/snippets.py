"""Highlighted snippets: the part of a text around the first asked word, asked words marked.

Built in Python on both databases from the same stems the search used, so SQLite and
PostgreSQL mark the same words. The snippet is HTML with the text escaped and the matches
in ``<mark>``; pages render it as is, the API returns it too (and the plain text).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from models.search.stems import WORD_RE, normalize, stem

WINDOW = 220  # characters of context around the first match


def snippet(text: str, stems: list[str], window: int = WINDOW) -> Markup:
    wanted = set(stems)
    matches = [m for m in WORD_RE.finditer(text) if stem(normalize(m.group())) in wanted]
    if matches:
        first = matches[0].start()
        start = max(0, first - window // 3)
        if start:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first else start
    else:
        start = 0
    end = min(len(text), start + window)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    parts: list[str] = ["…" if start else ""]
    cursor = start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        parts.append(str(escape(text[cursor:match.start()])))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        cursor = match.end()
    parts.append(str(escape(text[cursor:end])))
    if end < len(text):
        parts.append("…")
    return Markup("".join(parts).replace("\n", " "))  # noqa: S704  (every text part escaped above)
