"""Step instructions: the BPMN's ``instructionsForEndUser`` as a sandboxed Jinja template, then markdown.

Diagrams write instructions as Jinja over the task data (``{{ check.client_name }}``,
``{% for p in check.problems %}``), so they are rendered by a sandboxed environment:
no access to Python internals, no changes to the data. Both the template's own text and
the values put into it are HTML-escaped, and the values are also markdown-escaped, so
neither the diagram nor a client called ``<script>`` or ``**bold**`` can inject markup;
a missing value shows as a dash. The markdown output passes ``nh3`` with a short allow-list
of tags and safe link targets. A broken template (syntax, a missing attribute, a sandbox
refusal) shows a Russian message in place of the instructions, never an error page.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element

import markdown
import nh3
from jinja2 import Template, TemplateSyntaxError, Undefined, UndefinedError
from jinja2.ext import Extension
from jinja2.lexer import Token
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markdown.extensions import Extension as MarkdownExtension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

log = logging.getLogger(__name__)

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "ul", "ol", "li",
        "blockquote", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td",
    }
)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
SAFE_LINK = re.compile(r"^(https?:|mailto:|/(?!/)|#)", re.IGNORECASE)  # no scheme-relative //host
LINK_REL = "noopener noreferrer"
EMPTY = "—"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|])")
_BLOCK_START = re.compile(r"^(\s*)([-+]|\d+\.)(?=\s|$)", re.MULTILINE)


class _EscapeTemplateText(Extension):
    """HTML-escape the template's literal text as autoescape does with the values put into it."""

    def filter_stream(self, stream: Iterable[Token]) -> Iterator[Token]:
        for token in stream:
            if token.type == "data":
                yield Token(token.lineno, "data", html.escape(token.value, quote=False))
            else:
                yield token


def _markdown_literal(text: str) -> str:
    """``text`` that markdown shows as it is: no emphasis, links, headings, tables or lists."""
    inline = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m[1] + m[2][:-1] + "\\" + m[2][-1], inline)


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}``: a dash when empty, else literal text (autoescape escapes HTML after)."""
    if isinstance(value, Undefined):
        if value._undefined_exception is not UndefinedError:  # the sandbox refused an attribute
            value._fail_with_undefined_error()
        return EMPTY
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Markup):
        return value
    return _markdown_literal(str(value))


_ENV = ImmutableSandboxedEnvironment(
    autoescape=True, finalize=_finalize, extensions=[_EscapeTemplateText], undefined=Undefined
)


@lru_cache(maxsize=256)
def _template(source: str) -> Template:
    return _ENV.from_string(source)


class _SafeLinks(Treeprocessor):
    """Links keep only safe targets (web, mail, this site) and open without the page's context."""

    def run(self, root: Element) -> None:
        for link in root.iter("a"):
            href = link.get("href") or ""
            link.attrib.clear()
            if SAFE_LINK.match(href):
                link.set("href", href)
                link.set("rel", LINK_REL)


class _SafeLinksExtension(MarkdownExtension):
    """Registers ``_SafeLinks`` after markdown's own tree processors."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_SafeLinks(md), "crm_safe_links", 0)


def _problem(exc: Exception) -> str:
    if isinstance(exc, TemplateSyntaxError):
        return f"ошибка в записи шаблона, строка {exc.lineno}"
    if isinstance(exc, SecurityError):
        return "шаблон обращается к недоступным данным"
    if isinstance(exc, UndefinedError):
        return "в данных шага нет значения, которое использует шаблон"
    return "данные шага не удалось подставить в шаблон"


def _failure(exc: Exception) -> Markup:
    log.warning("instructions template failed: %s: %s", type(exc).__name__, exc)
    return Markup(  # constant text; the problem is escaped by format()
        '<div class="alert alert-warning mb-0 instructions-error">Инструкцию к шагу не удалось показать: '
        "{}. Сообщите администратору процессов.</div>"
    ).format(_problem(exc))


def markdown_to_safe_html(text: str) -> Markup:
    """Markdown (already HTML-escaped) to HTML that passed the allow-list of tags and links."""
    rendered = markdown.markdown(text, extensions=["tables", _SafeLinksExtension()])
    cleaned = nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href", "rel"}},
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,  # set by _SafeLinks on real links only
    )
    return Markup(cleaned)  # noqa: S704  (sanitised by nh3 just above)


def render_instructions(template: str | None, data: dict[str, Any]) -> Markup:
    """Safe HTML for the instructions of a step (empty when the step has none)."""
    if not template:
        return Markup("")
    try:
        text = _template(template).render(data)
    except Exception as exc:  # any failure of the diagram's template is shown, never raised
        return _failure(exc)
    return markdown_to_safe_html(text)
