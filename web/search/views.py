"""The search page (the box, the filters, hits with highlighted snippets, the next page by cursor) and
the global box's suggestions (``quick.json``, Ctrl+K)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.ids import parse_int
from models.search.quick import FINDER_KINDS, quick_search
from models.search.service import SearchError, search
from models.search.sources import source_labels
from web.links import object_url
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


@bp.get("/quick.json")
def quick():
    """Suggestions of the global box as you type: records by identifier, then texts (JSON).

    ``kinds=client,deal`` asks for those records only, answered also as ``items`` in the shape of the
    forms' typeahead pickers (``static/typeahead.js``): id, type, name and a line of detail.
    """
    kinds = {k for k in request.args.get("kinds", "").split(",") if k in FINDER_KINDS} or None
    answer = quick_search(db.session, current_user, request.args.get("q", ""),
                          per_kind=min(parse_int(request.args.get("limit")) or 5, 10), kinds=kinds)
    if kinds is not None:
        return {"items": [{"id": hit.object_id, "type": hit.object_type, "name": hit.title,
                           "detail": " · ".join(p for p in (hit.kind_label, hit.detail) if p)}
                          for hit in answer.records]}
    records = [dict(hit.as_json(), url=object_url(hit.object_type, hit.object_id))
               for hit in answer.records]
    texts = [{"kind_label": hit.kind_label, "title": hit.title or hit.client or hit.deal or "",
              "text": hit.text[:160], "url": object_url(hit.object_type, hit.object_id)}
             for hit in answer.texts]
    return {"records": records, "texts": texts, "more": url_for("search.index", q=request.args.get("q", ""))}
