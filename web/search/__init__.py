"""«Поиск»: the full-text search page over everything written (comments, notes, activities, tasks)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from web.search import views  # noqa: E402,F401
