"""Where a business object (by type and id) is shown: one place for search hits, timelines and comments.

Packages that add object kinds (documents, contracts) add their page here; a kind whose page
is not installed gets no link.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, current_app, g, url_for

PAGES = {
    "client": ("clients.show", "client_id"),
    "deal": ("deals.show", "deal_id"),
    "lead": ("leads.show", "lead_id"),
    "task": ("inbox.task", "task_id"),
    "human_task": ("inbox.process_task", "task_id"),
    "department_request": ("collaboration.request", "request_id"),
    "document": ("documents.show", "document_id"),
    "contract": ("contracts.show", "contract_id"),
    "discount_request": ("discounts.show", "request_id"),
    "process_instance": ("processes.instance", "instance_id"),
}


def object_url(object_type: str | None, object_id: int | None) -> str | None:
    """The page of a business object, or None; a kind's URL is built once per request (``g``)."""
    page = PAGES.get(object_type or "")
    if page is None or object_id is None or page[0] not in current_app.view_functions:
        return None
    patterns = g.setdefault("crm_link_patterns", {})
    pattern = patterns.get(page)
    if pattern is None:
        pattern = patterns[page] = link_pattern(*page)
    return f"{pattern.prefix}{int(object_id)}{pattern.suffix}"


# A number no record's id reaches: where the id stands in a URL built for it.
_PLACE = 2_147_483_647


class LinkPattern(NamedTuple):
    """A record page's URL around its id: ``{{ p.prefix }}{{ id }}{{ p.suffix }}`` in a template."""

    prefix: str
    suffix: str


def link_pattern(endpoint: str, argument: str, **fixed: object) -> LinkPattern:
    """The URL of ``endpoint`` with the integer ``argument`` left open, built once for a whole list.

    A list, a board or a card links each of its rows; ``url_for`` per row costs 6–9 µs of routing
    (a board's 240 cards with two links each: 3–4 ms of a page), while writing the id between
    the two halves of one URL built with a placeholder costs no call at all. ``fixed`` are the
    endpoint's other arguments, the same for every row; an argument the route does not name goes
    to the query string, where the id is written the same way.
    """
    prefix, _place, suffix = url_for(endpoint, **{argument: _PLACE}, **fixed).partition(str(_PLACE))
    return LinkPattern(prefix, suffix)


def init_app(app: Flask) -> None:
    app.add_template_global(object_url, "object_url")
    app.add_template_global(link_pattern, "link_pattern")
