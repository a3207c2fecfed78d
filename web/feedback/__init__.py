"""Client feedback: the public survey page behind the signed link, and the NPS report."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

from web.feedback import views  # noqa: E402,F401
