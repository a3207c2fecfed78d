"""Weekly report (page, print view, XLSX), coaching per manager, KPI sheet (formula, closing, XLSX)."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.reports.exports import to_xlsx
from models.reports.formula import FormulaError
from models.reports.kpi import FIGURES, close_month, kpi_result, kpi_sheet, set_formula
from models.reports.management import METRICS, coaching_report, weekly_report, weekly_sheets
from web.errors import error_response
from web.reports import bp
from web.security import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(body: bytes, name: str) -> Response:
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename={name}.xlsx"
    return response


@bp.get("/weekly")
def weekly():
    """The weekly management report; ``?print=1`` is the print view, ``?format=xlsx`` the workbook."""
    try:
        page = weekly_report(db.session, current_user, request.args.to_dict(), clock().now())
    except ValueError as exc:
        return error_response(400, str(exc))
    if request.args.get("format") == "xlsx":
        return _xlsx(to_xlsx(weekly_sheets(page)), f"weekly-{page.filter.period.start.isoformat()}")
    return render_template(
        "reports/weekly.html", page=page, f=page.filter, printing=bool(request.args.get("print"))
    )


@bp.get("/coaching")
def coaching():
    """Each manager's figures for the period beside the team median."""
    try:
        report = coaching_report(db.session, current_user, request.args.to_dict(), clock().now())
    except ValueError as exc:
        return error_response(400, str(exc))
    return render_template("reports/coaching.html", report=report, metrics=METRICS)


def _month() -> date:
    text = request.values.get("month") or ""
    try:
        return date.fromisoformat(text) if text else clock().now().date()
    except ValueError:
        raise FormulaError("Месяц: ГГГГ-ММ-ДД") from None


@bp.get("/kpi")
def kpi():
    """The KPI sheet of a month; ``?format=xlsx`` for the workbook."""
    try:
        sheet = kpi_sheet(db.session, current_user, _month())
    except FormulaError as exc:
        return error_response(400, str(exc))
    if request.args.get("format") == "xlsx":
        return _xlsx(
            to_xlsx([(f"KPI {sheet.month:%m.%Y}", kpi_result(sheet))]), f"kpi-{sheet.month.isoformat()}"
        )
    return render_template("reports/kpi.html", sheet=sheet, figures=FIGURES, error=None)


@bp.post("/kpi/formula")
def kpi_formula():
    """Store the head's bonus formula (checked before it is kept)."""
    try:
        set_formula(db.session, current_user, request.form.get("formula", ""), clock().now())
    except FormulaError as exc:
        flash(str(exc), "danger")
        sheet = kpi_sheet(db.session, current_user, _month())
        return render_template("reports/kpi.html", sheet=sheet, figures=FIGURES, error=str(exc)), 422
    flash("Формула премии сохранена", "success")
    return redirect(url_for("reports.kpi", month=request.form.get("month")))


@bp.post("/kpi/close")
def kpi_close():
    """Close the month: figures and bonuses frozen, later changes shown as corrections."""
    try:
        record = close_month(db.session, current_user, _month(), clock().now())
    except FormulaError as exc:
        return error_response(409, str(exc))
    flash(f"Месяц {record.month:%m.%Y} закрыт", "success")
    return redirect(url_for("reports.kpi", month=record.month.isoformat()))
