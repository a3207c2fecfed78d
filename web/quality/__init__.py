"""«Качество данных»: the dashboard (completeness per owner, trend per team, issues and fixes) and rules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quality", __name__, url_prefix="/quality")

from web.quality import views  # noqa: E402,F401
