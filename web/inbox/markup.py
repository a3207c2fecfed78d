"""Step instructions: markdown from the BPMN's ``instructionsForEndUser``, filled with task data.

``{{ name }}`` / ``{{ a.b }}`` placeholders take values from the task data. The whole text
is HTML-escaped before markdown runs (so neither the diagram nor a client's name can inject
HTML), and the markdown output passes an allow-list of tags and safe link targets.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import markdown
from markupsafe import Markup

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\}\}")
ALLOWED = frozenset(
    {
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "b",
        "i",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
SAFE_LINK = re.compile(r"^(https?:|mailto:|/|#)", re.IGNORECASE)


def fill(template: str, data: dict[str, Any]) -> str:
    def value(match: re.Match) -> str:
        current: Any = data
        for part in match.group(1).split("."):
            current = current.get(part) if isinstance(current, dict) else None
        return "—" if current is None or current == "" else str(current)

    return PLACEHOLDER.sub(value, template)


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            return
        if tag == "a":
            href = dict(attrs).get("href") or ""
            safe = f' href="{html.escape(href)}" rel="noopener noreferrer"' if SAFE_LINK.match(href) else ""
            self.out.append(f"<a{safe}>")
        else:
            self.out.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ALLOWED and tag not in ("br", "hr"):
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


def render_instructions(template: str | None, data: dict[str, Any]) -> Markup:
    """Safe HTML for the instructions of a step (empty when the step has none)."""
    if not template:
        return Markup("")
    source = html.escape(fill(template, data), quote=False)
    sanitiser = _Sanitiser()
    sanitiser.feed(markdown.markdown(source, extensions=["tables"]))
    sanitiser.close()
    return Markup("".join(sanitiser.out))  # noqa: S704  (built only from allow-listed, escaped parts)
