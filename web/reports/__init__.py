"""«Отчёты»: the team dashboard (also the start page of senior managers and the head), plans, custom
reports with their files, subscriptions to scheduled e-mail, the weekly report, KPI and the BI feed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, Flask

from web.formatting import local_dt, rub

bp = Blueprint("reports", __name__, url_prefix="/reports")


def report_value(value: Any, kind: str) -> str:
    """A report cell the Russian way: money «1 500 000,50 ₽», dates ДД.ММ.ГГГГ, times in the viewer's zone."""
    if value is None:
        return "—"
    if kind == "money":
        return rub(Decimal(str(value)))
    if isinstance(value, datetime):
        return local_dt(value)
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if kind == "percent":
        return f"{value} %"
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}".replace(".", ",")
    return str(value)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(report_value, "report_value")


from web.reports import custom_views, management_views, schedule_views, views  # noqa: E402,F401
