"""Funnel settings for admins: stage probability and «stuck after N days», loss reasons."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models.platform.db import db
from models.platform.permissions import Permission, require
from models.sales.funnels import Funnel, FunnelStage, LossReason
from web.deals import bp


@bp.get("/settings")
def funnel_settings():
    """Funnels with their stages, and the list of loss reasons."""
    require(current_user, Permission.MANAGE_USERS)
    funnels = db.session.scalars(select(Funnel).order_by(Funnel.id)).all()
    reasons = db.session.scalars(select(LossReason).order_by(LossReason.name)).all()
    return render_template("deals/settings.html", funnels=funnels, reasons=reasons)


@bp.post("/settings/stages/<int:stage_id>")
def update_stage(stage_id: int):
    """Change a stage's name, probability and stuck threshold."""
    require(current_user, Permission.MANAGE_USERS)
    stage = db.get_or_404(FunnelStage, stage_id)
    probability = request.form.get("probability", type=int)
    stuck = request.form.get("stuck_after_days", type=int)
    if probability is None or not 0 <= probability <= 100 or (stuck is not None and stuck < 1):
        flash("Вероятность — от 0 до 100, порог — целое число дней больше нуля", "danger")
        return redirect(url_for("deals.funnel_settings"))
    stage.name = (request.form.get("name") or stage.name).strip()
    stage.probability = probability
    stage.stuck_after_days = stuck
    db.session.commit()
    flash(f"Этап «{stage.name}» сохранён", "success")
    return redirect(url_for("deals.funnel_settings"))


@bp.post("/settings/loss-reasons")
def add_loss_reason():
    """Add a loss reason, or switch one on or off."""
    require(current_user, Permission.MANAGE_USERS)
    toggle = request.form.get("toggle_id", type=int)
    if toggle:
        reason = db.get_or_404(LossReason, toggle)
        reason.is_active = not reason.is_active
    else:
        name = (request.form.get("name") or "").strip()
        if not name or db.session.scalar(select(LossReason).where(LossReason.name == name)):
            flash("Причина пустая или уже есть", "danger")
            return redirect(url_for("deals.funnel_settings"))
        db.session.add(LossReason(name=name))
    db.session.commit()
    return redirect(url_for("deals.funnel_settings"))
