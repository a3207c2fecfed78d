"""Funnel settings for admins: stage probability and «stuck after N days», loss reasons."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.sales import service
from models.sales.cards import funnel_settings as read_settings
from web.deals import bp


@bp.get("/settings")
def funnel_settings():
    """Funnels with their stages, and the list of loss reasons."""
    page = read_settings(db.session, current_user)
    return render_template("deals/settings.html", funnels=page.funnels, reasons=page.reasons)


@bp.post("/settings/stages/<int:stage_id>")
def update_stage(stage_id: int):
    """Change a stage's name, probability and stuck threshold."""
    form = request.form
    try:
        stage = service.update_stage(db.session, current_user, stage_id, name=form.get("name"),
                                     probability=form.get("probability", type=int),
                                     stuck_after_days=form.get("stuck_after_days", type=int))
    except service.SettingsInvalid as exc:
        flash(exc.message, "danger")
        return redirect(url_for("deals.funnel_settings"))
    flash(f"Этап «{stage.name}» сохранён", "success")
    return redirect(url_for("deals.funnel_settings"))


@bp.post("/settings/loss-reasons")
def add_loss_reason():
    """Add a loss reason, or switch one on or off."""
    toggle = request.form.get("toggle_id", type=int)
    try:
        if toggle:
            service.toggle_loss_reason(db.session, current_user, toggle)
        else:
            service.add_loss_reason(db.session, current_user, request.form.get("name") or "")
    except service.SettingsInvalid as exc:
        flash(exc.message, "danger")
    return redirect(url_for("deals.funnel_settings"))
