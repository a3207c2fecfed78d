"""The inbox: process tasks and ad-hoc tasks, task pages, notifications, templates.

``init_app`` registers the blueprint, the navigation counters (one query batch per page,
cached on ``g``) and the scheduler job that sends reminders and escalations of ad-hoc tasks.
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
        from models import db
        from models.inbox import counters, viewer_for
        from models.notifications import unread_count

        clock = current_app.extensions["crm.clock"]
        now = clock.now()
        viewer = viewer_for(db.session, current_user, now, current_app.extensions["crm.settings"].timezone)
        numbers = counters(db.session, viewer, now)
        g.crm_nav_counters = {
            "inbox.index": numbers["my"],
            "inbox.notifications": unread_count(db.session, current_user.id),
        }
    return g.crm_nav_counters


def _alerts_job(app: Flask) -> int:
    from models.task_alerts import run_due_alerts

    settings = app.extensions["crm.settings"]
    return run_due_alerts(
        app.extensions["crm.session_factory"], app.extensions["crm.clock"], settings.escalation_grace
    )


def _demo_tasks(session) -> dict[str, int]:
    from models.demo_tasks import load_demo_tasks

    settings = current_app.extensions["crm.settings"]
    return load_demo_tasks(session, current_app.extensions["crm.clock"].now(), settings.escalation_grace)


def init_app(app: Flask) -> None:
    from web.scheduler import register_job

    app.register_blueprint(bp)
    app.extensions.setdefault("crm.demo_hooks", []).append(_demo_tasks)
    app.context_processor(lambda: {"nav_counters": nav_counters})
    register_job(app, "task_alerts", _alerts_job)


from web.inbox import action_views, process_views, task_views, views  # noqa: E402,F401
