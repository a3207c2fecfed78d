"""``/`` after login: the home screen of the user's role, built by ``models.home.pages.home_for``."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from models.home.pages import home_for
from models.platform.db import db
from models.sales.deals import FLAG_LABELS
from web.engine_support import process_engine
from web.home import bp
from web.security import clock, public


@bp.get("/")
def index():
    """The role's home: «Мой день» for a manager, the team dashboard with approvals for the head, …"""
    home = home_for(db.session, process_engine(), current_user, clock().now())
    dashboard = home.extra.get("dashboard")
    if dashboard is not None:  # the head's and the senior's home is the dashboard with approvals above it
        return render_template(
            home.template,
            home=home,
            page=dashboard,
            f=dashboard.filter,
            flag_labels=FLAG_LABELS,
        )
    return render_template(home.template, home=home)


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico on any page; the icon itself is a static SVG."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
