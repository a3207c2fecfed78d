"""The search page: the box, the filters, hits with highlighted snippets, the next page by cursor."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from models.platform.db import db
from models.search.service import SearchError, search
from models.search.sources import source_labels
from web.search import bp


@bp.get("/")
def index():
    """Search the texts the user may read; an empty box shows the form only."""
    if not (request.args.get("q") or "").strip():
        return render_template("search/index.html", page=None, errors={}, args=request.args,
                               kinds=source_labels())
    try:
        page = search(db.session, current_user, request.args)
    except SearchError as exc:
        return render_template("search/index.html", page=None, errors=exc.fields, args=request.args,
                               kinds=source_labels()), 422
    return render_template("search/index.html", page=page, errors={}, args=request.args, kinds=page.kinds)
