"""The machine-readable health checks (the start page is ``web.home``)."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from models.platform.db import db
from models.platform.health import database_health
from models.platform.permissions import Permission, require
from web.main import bp
from web.security import public


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
