"""Dashboard and plan pages: parse the filter, call one reading of ``models.reports.pages``, render.

A bad filter (an unknown period, a date that is not a date) answers 400 with the Russian
message; a refused plan 422 with the page and the messages; nothing is half-written.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.reports.pages import dashboard_part, dashboard_shell, plan_page, save_plans
from models.reports.plans import PlanError
from models.sales.deals import FLAG_LABELS
from web.errors import error_response
from web.reports import bp
from web.reports.charts import part_chart
from web.security import clock


@bp.get("/")
def index():
    """The team dashboard (a manager's own figures for a manager): the shell; each tile comes by ``part``."""
    try:
        page = dashboard_shell(db.session, current_user, request.args.to_dict(), clock().now())
    except ValueError as exc:
        return error_response(400, str(exc))
    return render_template("reports/dashboard.html", page=page, f=page.filter, flag_labels=FLAG_LABELS)


@bp.get("/part/<name>")
def part(name: str):
    """One tile of the dashboard as an HTML fragment (the page's script fetches each in parallel)."""
    try:
        page = dashboard_part(db.session, current_user, name, request.args.to_dict(), clock().now())
    except KeyError:
        abort(404)
    except ValueError as exc:
        return error_response(400, str(exc))
    chart = part_chart(name, page)
    return render_template("reports/_part.html", name=name, page=page, f=page.filter, chart=chart)


@bp.get("/plans")
def plans():
    """Plan vs fact per manager for a month; the head edits the plans here."""
    try:
        page = plan_page(db.session, current_user, request.args.get("month"), clock().now())
    except ValueError as exc:
        return error_response(400, str(exc))
    return render_template("reports/plans.html", page=page, errors={})


@bp.post("/plans")
def save_plan():
    """Store the plans typed for the month (all or nothing)."""
    month = request.form.get("month", "")
    try:
        count = save_plans(db.session, current_user, month, request.form.to_dict(), clock().now())
    except ValueError as exc:
        errors = exc.errors if isinstance(exc, PlanError) else {"month": [str(exc)]}
        flash(str(exc), "danger")
        page = plan_page(db.session, current_user, None if "month" in errors else month, clock().now())
        return render_template("reports/plans.html", page=page, errors=errors), 422
    flash(f"Планы сохранены: {count}", "success")
    return redirect(url_for("reports.plans", month=month))
