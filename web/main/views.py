"""Start page and the machine-readable health check."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from models.clients.queries import visible_client_count
from models.platform.db import db
from models.platform.health import database_health
from models.platform.permissions import Permission, require
from models.reports.pages import dashboard_is_home
from web.main import bp
from web.reports.views import index as dashboard
from web.security import public


@bp.get("/")
def index():
    """The start page: the team dashboard for senior managers and the head, else the inbox."""
    if dashboard_is_home(current_user):
        return dashboard()
    if "inbox.index" in current_app.view_functions:
        return redirect(url_for("inbox.index"))
    return render_template("main/index.html", client_count=visible_client_count(db.session, current_user))


@bp.get("/healthz")
@public
def healthz():
    """Liveness for load balancers: only «ok» or 503 «error» — the public says nothing more.

    A failed query leaves the transaction unusable; the 503 makes the unit of work roll it back.
    """
    health = database_health(db.session)
    ok = health.error is None and health.ok
    return jsonify(status="ok" if ok else "error"), (200 if ok else 503)


@bp.get("/healthz/details")
def healthz_details():
    """For administrators: the database kind, the applied migration(s) and the error, if any."""
    require(current_user, Permission.MANAGE_USERS)
    health = database_health(db.session)
    ok = health.error is None and health.ok
    return jsonify(status="ok" if ok else "error", database=health.database, migration=health.migration,
                   error=health.error), (200 if ok else 503)
