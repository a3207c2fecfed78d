"""``/api/v1/export/<entity>``: the read-only BI feed (JSON lines or CSV) with ``updated_since`` and a cursor.

The next page's cursor comes in the ``X-Next-Cursor`` header (absent on the last page). Columns are
described on «Отчёты → Выгрузка для BI» (``/reports/export``).
"""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user
from flask_smorest import Blueprint

from models.platform.db import db
from models.reports.feed import FeedError, feed_page
from models.reports.feed_format import csv_text, jsonl_lines
from web.errors import error_response

blp = Blueprint("api_export", __name__, description="Выгрузка для BI")


@blp.route("/export/<entity>")
def export(entity: str):
    """Rows of ``entity`` changed since ``updated_since``; ``cursor``, ``limit`` (≤ 10000), ``format``."""
    kind = request.args.get("format", "jsonl")
    limit = request.args.get("limit", "1000")
    if kind not in ("jsonl", "csv") or not limit.isdigit():
        return error_response(400, "format: jsonl или csv; limit: число до 10000")
    try:
        page = feed_page(
            db.session,
            current_user,
            entity,
            request.args.get("updated_since"),
            request.args.get("cursor"),
            int(limit),
        )
    except FeedError as exc:
        return error_response(400, str(exc))
    if kind == "csv":
        response = Response(csv_text(page, header=True), mimetype="text/csv; charset=utf-8")
    else:
        response = Response(jsonl_lines(page), mimetype="application/x-ndjson")
    if page.next_cursor:
        response.headers["X-Next-Cursor"] = page.next_cursor
    return response
