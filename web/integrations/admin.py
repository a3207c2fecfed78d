"""«Интеграции» for admins: every integration's status, last errors and «Проверить соединение»."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from integrations.catalog import integration, integrations
from integrations.onec.service import onec_page
from integrations.status import check_connection, status
from integrations.telephony.service import CallError, call_stats, extensions, set_extension
from integrations.webhooks.service import webhooks_page
from models.platform.db import db
from models.platform.permissions import Permission, require
from web.integrations import bp
from web.security import clock, settings


def _admin() -> None:
    require(current_user, Permission.MANAGE_USERS)


@bp.get("/admin")
def index():
    """Every integration with its state."""
    _admin()
    rows = [status(db.session, item, settings(), limit=3) for item in integrations()]
    return render_template("integrations/index.html", rows=rows)


@bp.get("/admin/<code>")
def show(code: str):
    """One integration: settings, last success, last errors, failing deliveries, its own section."""
    _admin()
    item = integration(code) or abort(404)
    extra = _sections.get(code, lambda: {})()
    return render_template("integrations/show.html", s=status(db.session, item, settings()), **extra)


_sections = {
    "telephony": lambda: {
        "extensions": extensions(db.session),
        "stats": call_stats(db.session, clock().now() - timedelta(days=30)),
    },
    "webhooks": lambda: {"page": webhooks_page(db.session)},
    "onec": lambda: {"onec": onec_page(db.session)},
}


@bp.post("/admin/<code>/check")
def check(code: str):
    """«Проверить соединение»: one call to the system with its timeout; the answer is logged and shown."""
    _admin()
    item = integration(code) or abort(404)
    entry = check_connection(db.session, item, settings(), clock().now())
    flash(entry.message, "success" if entry.ok else "danger")
    return redirect(url_for("integrations.show", code=code))


@bp.post("/admin/telephony/extensions/<int:user_id>")
def extension(user_id: int):
    """An employee's PBX extension (used to match calls and to dial)."""
    _admin()
    try:
        set_extension(db.session, user_id, request.form.get("extension", ""))
    except CallError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("integrations.show", code="telephony")), 303
    flash("Внутренний номер сохранён", "success")
    return redirect(url_for("integrations.show", code="telephony"))
