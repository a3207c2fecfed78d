"""Subscriptions to scheduled report e-mail: list and form, «send now», pause/resume, the unsubscribe link.

GETs never act: the unsubscribe link opens a page whose button unsubscribes (after login).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.roles import ROLE_LABELS
from models.reports.pages import managers_in_scope
from models.reports.saved import visible_reports
from models.reports.schedules import (
    TARGETS,
    WEEKDAYS,
    ScheduleError,
    opt_out,
    send_now,
    set_active,
    subscribe,
    subscriptions_page,
)
from web.reports import bp
from web.security import clock, settings


def _page(errors: dict | None = None, status: int = 200):
    return render_template(
        "reports/subscriptions.html",
        subscriptions=subscriptions_page(db.session, current_user),
        reports=visible_reports(db.session, current_user),
        users=managers_in_scope(db.session, None),
        roles=ROLE_LABELS,
        targets=TARGETS,
        weekdays=WEEKDAYS,
        errors=errors or {},
        form=request.values,
    ), status


@bp.get("/subscriptions")
def subscriptions():
    """My report subscriptions and a form for a new one."""
    return _page()


@bp.post("/subscriptions")
def subscription_create():
    """Subscribe a report or the dashboard to a schedule."""
    try:
        subscribe(
            db.session,
            current_user,
            request.form.to_dict(),
            request.form.getlist("user_ids"),
            request.form.getlist("roles"),
            settings(),
            clock().now(),
        )
    except ScheduleError as exc:
        flash(str(exc), "danger")
        return _page(exc.errors, 422)
    flash("Рассылка создана", "success")
    return redirect(url_for("reports.subscriptions"))


@bp.post("/subscriptions/<int:sub_id>/send-now")
def subscription_send_now(sub_id: int):
    """Send the letter to me now, to check it; the schedule stays as it is."""
    send_now(db.session, current_user, sub_id, settings(), clock().now())
    flash("Письмо поставлено в очередь отправки на ваш адрес", "success")
    return redirect(url_for("reports.subscriptions"))


@bp.post("/subscriptions/<int:sub_id>/active")
def subscription_active(sub_id: int):
    """Pause or resume a subscription."""
    sub = set_active(db.session, current_user, sub_id, request.form.get("active") == "1", clock().now())
    flash("Рассылка возобновлена" if sub.active else "Рассылка приостановлена", "success")
    return redirect(url_for("reports.subscriptions"))


@bp.get("/unsubscribe/<int:sub_id>/<token>")
def unsubscribe_page(sub_id: int, token: str):
    """The link in the letter: asks before unsubscribing."""
    return render_template("reports/unsubscribe.html", sub_id=sub_id, token=token)


@bp.post("/unsubscribe/<int:sub_id>/<token>")
def unsubscribe(sub_id: int, token: str):
    """Stop sending me this subscription."""
    opt_out(db.session, current_user, sub_id, token, settings())
    flash("Вы отписались от этой рассылки", "success")
    return redirect(url_for("home.index"))
