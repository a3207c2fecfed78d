"""«Отчёты»: the team dashboard (also the start page of senior managers and the head), plans, reports."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__, url_prefix="/reports")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


from web.reports import views  # noqa: E402,F401
