"""The inbox: process tasks and ad-hoc tasks, task pages, notifications, templates.

``init_app`` registers the blueprint and the navigation counters (read once per page through
``models.tasks.pages.navigation_counts``, cached on ``g``; the inbox page fills them from its own
counts).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g
from flask_login import current_user

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def nav_counters() -> dict[str, int]:
    """Endpoint -> badge number for the navigation (open tasks of mine)."""
    if not current_user.is_authenticated:
        return {}
    if "crm_nav_counters" not in g:
        from models.platform.db import db
        from models.tasks.pages import navigation_counts

        counts = navigation_counts(db.session, current_user, current_app.extensions["crm.clock"].now(),
                                   current_app.extensions["crm.settings"].timezone)
        g.crm_nav_counters = {"inbox.index": counts["tasks"], "inbox.notifications": counts["notifications"]}
    return g.crm_nav_counters


def init_app(app: Flask) -> None:
    """Register the inbox pages and offer ``nav_counters`` to every template."""
    app.register_blueprint(bp)
    app.context_processor(lambda: {"nav_counters": nav_counters})


from web.inbox import action_views, process_views, refusals, task_views, views  # noqa: E402,F401
