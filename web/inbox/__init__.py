"""The inbox: process tasks and ad-hoc tasks, task pages, notifications, templates.

``init_app`` registers the blueprint and the navigation counters (one query batch per page,
cached on ``g``).
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
        from models.notifications.service import unread_count
        from models.platform.db import db
        from models.tasks.inbox import counters, viewer_for

        clock = current_app.extensions["crm.clock"]
        now = clock.now()
        viewer = viewer_for(db.session, current_user, now, current_app.extensions["crm.settings"].timezone)
        numbers = counters(db.session, viewer, now)
        g.crm_nav_counters = {
            "inbox.index": numbers["my"],
            "inbox.notifications": unread_count(db.session, current_user.id),
        }
    return g.crm_nav_counters


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(lambda: {"nav_counters": nav_counters})


from web.inbox import action_views, process_views, task_views, views  # noqa: E402,F401
