"""The inbox: process tasks and ad-hoc tasks, task pages, notifications, templates.

``init_app`` registers the blueprint and the navigation counters. On a page a browser opens, the
counters ride the session check's statement (``web.security.PageRider``); otherwise — a user in
another time zone whose «today» differs, a page some script asked for — they are read once per
request through ``models.tasks.pages.navigation_counts``. Both are kept on ``g``; the inbox page
fills them from its own counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, g
from flask_login import current_user

from models.identity.users import User
from models.platform.db import db
from models.tasks.pages import badge_numbers, badge_statement, navigation_counts
from web.security import PAGE_RIDER, PageRider

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def nav_counters() -> dict[str, int]:
    """Endpoint -> badge number for the navigation (open tasks of mine)."""
    if not current_user.is_authenticated:
        return {}
    if "crm_nav_counters" not in g:
        counts = navigation_counts(db.session, current_user, current_app.extensions["crm.clock"].now(),
                                   current_app.extensions["crm.settings"].timezone)
        keep_nav_counters(counts["tasks"], counts["notifications"])
    return g.crm_nav_counters


def keep_nav_counters(tasks: int, notifications: int) -> None:
    """The badge numbers of this request, wherever they were counted (the inbox page counts its own)."""
    g.crm_nav_counters = {"inbox.index": tasks, "inbox.notifications": notifications}


def _today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _badge_params(now: datetime) -> Mapping[str, Any]:
    """«Today» of the badges (the deputy's standing-in days) in the company's zone."""
    return {"today": _today(now, current_app.extensions["crm.settings"].timezone)}


def _take_badges(user: User, now: datetime, values: Sequence[Any]) -> None:
    """Keep the badges read with the session, unless the user's own «today» is another day."""
    zone = current_app.extensions["crm.settings"].timezone
    if user.timezone and user.timezone != zone and _today(now, user.timezone) != _today(now, zone):
        return  # ``nav_counters`` reads them for the user's own day
    numbers = badge_numbers(values)
    keep_nav_counters(numbers["tasks"], numbers["notifications"])


def init_app(app: Flask) -> None:
    """Register the inbox pages and offer ``nav_counters`` to every template."""
    app.register_blueprint(bp)
    app.context_processor(lambda: {"nav_counters": nav_counters})
    app.extensions[PAGE_RIDER] = PageRider(badge_statement, _badge_params, _take_badges)


from web.inbox import action_views, process_views, refusals, task_views, views  # noqa: E402,F401
