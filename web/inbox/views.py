"""The inbox page, notifications and the choice of channels per kind of notification."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models.clients.cards import Client
from models.notifications.service import (
    CHANNELS,
    KINDS,
    mark_read,
    preferences,
    recent,
    set_preferences,
    unread_count,
)
from models.platform.db import db
from models.platform.permissions import scoped
from models.tasks.adhoc import PRIORITY_LABELS, STATUS_LABELS
from models.tasks.inbox import SECTIONS, counters, items, process_keys
from web.inbox import bp
from web.inbox.common import now, parse_filters, viewer

PAGE_SIZE = 50


@bp.get("/")
def index():
    """My tasks, my queues, overdue, due today and completed, with filters and counters."""
    section = request.args.get("section", "my")
    if section not in SECTIONS:
        section = "my"
    page = max(1, int(request.args.get("page", "1")) if request.args.get("page", "1").isdigit() else 1)
    filters = parse_filters(request.args)
    who = viewer()
    moment = now()
    rows = items(
        db.session, who, section, moment, filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    clients = db.session.scalars(
        scoped(current_user, Client, select(Client).order_by(Client.full_name)).limit(500)
    ).all()
    counts = counters(db.session, who, moment)
    g.crm_nav_counters = {
        "inbox.index": counts["my"],  # the navigation badge reuses these counts
        "inbox.notifications": unread_count(db.session, current_user.id),
    }
    return render_template(
        "inbox/index.html",
        section=section,
        sections=SECTIONS,
        rows=rows[:PAGE_SIZE],
        has_more=len(rows) > PAGE_SIZE,
        page=page,
        counts=counts,
        now=moment,
        filters=filters,
        processes=process_keys(db.session),
        clients=clients,
        priorities=PRIORITY_LABELS,
        statuses=STATUS_LABELS,
        standing_in=who.standing_in,
    )


@bp.get("/notifications")
def notifications():
    """My notifications (newest first) and which kinds also come by e-mail (or another channel)."""
    return render_template(
        "inbox/notifications.html",
        rows=recent(db.session, current_user.id),
        kinds=KINDS,
        channels=CHANNELS,
        prefs=preferences(db.session, current_user.id),
    )


@bp.post("/notifications/read")
def notifications_read():
    """Mark one or all notifications as read."""
    ids = [int(v) for v in request.form.getlist("id") if v.isdigit()] or None
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
