"""«Совместная работа»: client and deal timelines, requests between departments, comment marks, examples."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("collaboration", __name__, url_prefix="/collaboration")

from web.collaboration import refusals, requests_views, views  # noqa: E402,F401
