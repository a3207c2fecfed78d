"""``GET /api/v1/search?q=…``: full-text search with filters, highlighted snippets, record rights.

Arguments: ``q`` (required), ``kind``, ``author``, ``client``, ``deal``, ``tag``, ``product``,
``from``/``to`` (ГГГГ-ММ-ДД), ``limit`` (1–100), ``after`` (the ``next`` of the previous
page). Unusable arguments answer 422 with Russian messages per field.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint

from models.platform.db import db
from models.search.service import SearchError, search
from web.errors import error_response

blp = Blueprint("api_search", __name__, description="Полнотекстовый поиск")


@blp.route("/search", methods=["GET"])
def search_texts():
    """Texts matching ``q`` the caller may read, newest first, one page."""
    try:
        page = search(db.session, current_user, request.args)
    except SearchError as exc:
        return error_response(422, exc.message, "validation", fields=exc.fields)
    return jsonify({"items": [hit.as_json() for hit in page.hits], "next": page.next_cursor,
                    "kinds": page.kinds})
