"""The inbox page, notifications and the choice of channels per kind of notification."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.notifications.service import CHANNELS, KINDS, mark_read, notifications_page, set_preferences
from models.platform.db import db
from models.platform.ids import parse_int
from models.tasks.adhoc import PRIORITY_LABELS, STATUS_LABELS
from models.tasks.cursor import BadCursor
from models.tasks.inbox import SECTIONS
from models.tasks.pages import inbox_page
from web.inbox import bp, keep_nav_counters
from web.inbox.common import default_zone, now, parse_filters

PAGE_SIZE = 50


@bp.get("/")
def index():
    """My tasks, my queues, overdue, due today and completed, with filters and counters."""
    section = request.args.get("section", "my")
    if section not in SECTIONS:
        section = "my"
    after = request.args.get("after") or None
    filters = parse_filters(request.args)
    moment = now()
    try:
        inbox = inbox_page(db.session, current_user, section, filters, after, moment, default_zone(),
                           PAGE_SIZE)
    except BadCursor as exc:
        abort(400, str(exc))
    counts = inbox.section.counts
    keep_nav_counters(counts["my"], inbox.unread)  # the navigation badge reuses these counts
    return render_template(
        "inbox/index.html",
        section=section,
        sections=SECTIONS,
        rows=inbox.section.rows,
        after=after,
        next_token=inbox.section.next,
        counts=counts,
        now=moment,
        filters=filters,
        processes=inbox.processes,
        client_label=inbox.client_label,
        priorities=PRIORITY_LABELS,
        statuses=STATUS_LABELS,
        standing_in=inbox.section.standing_in,
    )


@bp.get("/notifications")
def notifications():
    """My notifications (newest first) and which kinds also come by e-mail (or another channel)."""
    page = notifications_page(db.session, current_user.id)
    return render_template("inbox/notifications.html", rows=page.rows, kinds=KINDS, channels=CHANNELS,
                           prefs=page.preferences)


@bp.post("/notifications/read")
def notifications_read():
    """Mark one or all notifications as read."""
    ids = [i for i in map(parse_int, request.form.getlist("id")) if i is not None] or None
    mark_read(db.session, current_user.id, now(), ids)
    return redirect(url_for("inbox.notifications"))


@bp.post("/notifications/preferences")
def notification_preferences():
    """Save, per channel, which kinds of notifications it carries (one checkbox column each)."""
    set_preferences(db.session, current_user.id,
                    {channel.code: set(request.form.getlist(channel.code)) for channel in CHANNELS})
    flash("Настройки уведомлений сохранены", "success")
    return redirect(url_for("inbox.notifications"))


@bp.app_template_filter("dict_without")
def dict_without(values: dict, *keys: str) -> dict:
    """``values`` minus ``keys`` (to keep filters in paging links)."""
    return {k: v for k, v in values.items() if k not in keys}
