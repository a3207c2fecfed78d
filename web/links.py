"""Where a business object (by type and id) is shown: one place for search hits, timelines and comments.

Packages that add object kinds (documents, contracts) add their page here; a kind whose page
is not installed gets no link.
"""

from __future__ import annotations

from flask import Flask, current_app, url_for

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
    page = PAGES.get(object_type or "")
    if page is None or object_id is None or page[0] not in current_app.view_functions:
        return None
    return url_for(page[0], **{page[1]: object_id})


def init_app(app: Flask) -> None:
    app.add_template_global(object_url, "object_url")
