"""Start page and the machine-readable health check."""

from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from models.clients.cards import Client
from models.platform.db import db
from models.platform.permissions import scoped
from web.main import bp
from web.security import public


@bp.get("/")
def index():
    """The start page: the inbox once it exists, otherwise a short overview."""
    if "inbox.index" in current_app.view_functions:
        return redirect(url_for("inbox.index"))
    visible = scoped(current_user, Client, select(func.count(Client.id)))
    return render_template("main/index.html", client_count=db.session.scalar(visible))


@bp.get("/healthz")
@public
def healthz():
    """Liveness for load balancers: database kind and applied migration(s)."""
    kind = db.engine.dialect.name
    try:
        heads = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError as exc:
        db.session.rollback()
        body = {"status": "error", "database": kind, "error": type(exc).__name__}
        return jsonify(body), 503
    migration = ",".join(sorted(heads)) or None
    status = "ok" if migration else "error"
    return jsonify(status=status, database=kind, migration=migration), (
        200 if migration else 503
    )
