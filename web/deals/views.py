"""Deal pages: the list with filters and flags, the funnel board, the card, stage moves, activities."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models.identity.users import User
from models.platform.db import db
from models.platform.permissions import Permission, has_permission, require_access
from models.sales.activities import ACTIVITY_KINDS, Activity, log_activity
from models.sales.deal_editing import apply_changes
from models.sales.deals import FLAG_LABELS, Deal, DealError, deal_flags, move_stage, time_in_stages
from models.sales.funnels import Funnel, LossReason, funnel_by_code
from models.sales.queries import DealFilter, assignable_managers, deal_processes, deal_tasks, list_deals
from web.deals import bp
from web.security import clock, settings


def _deal(deal_id: int, action: str = "view") -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None:
        abort(404)
    require_access(current_user, deal, action)
    return deal


def _filters() -> DealFilter:
    args = request.args
    return DealFilter(funnel=args.get("funnel") or None, stage=args.get("stage") or None,
                      status=args.get("status") or None, owner_id=args.get("owner_id", type=int),
                      flag=args.get("flag") or None, q=args.get("q") or None)


@bp.get("/")
def index():
    """Deals with filters (funnel, stage, status, flag, search); the funnel as a board."""
    filters = _filters()
    funnels = list(db.session.scalars(select(Funnel).order_by(Funnel.id)))
    rows = list_deals(db.session, current_user, clock().now(), filters)
    board = funnel_by_code(db.session, filters.funnel) if filters.funnel else None
    return render_template("deals/index.html", rows=rows, funnels=funnels, board=board, filters=filters,
                           flag_labels=FLAG_LABELS)


def _managers() -> list[User]:
    """Who a deal may be handed to, for users allowed to distribute work (else nobody)."""
    if not has_permission(current_user, Permission.DISTRIBUTE_WORK):
        return []
    return assignable_managers(db.session)


def _render_card(deal: Deal, errors: dict | None = None, status: int = 200):
    now = clock().now()
    activities = db.session.scalars(select(Activity).where(Activity.deal_id == deal.id)
                                    .order_by(Activity.happened_at.desc())).all()
    return render_template(
        "deals/show.html", deal=deal, flags=deal_flags(deal, now), flag_labels=FLAG_LABELS,
        stays=time_in_stages(deal, now), activities=activities, tasks=deal_tasks(db.session, deal),
        processes=deal_processes(db.session, deal), managers=_managers(),
        loss_reasons=db.session.scalars(select(LossReason).where(LossReason.is_active)).all(),
        kinds=ACTIVITY_KINDS, errors=errors or {}), status


@bp.get("/<int:deal_id>")
def show(deal_id: int):
    """The deal card: stage path, amounts, competitors, activity timeline, tasks."""
    return _render_card(_deal(deal_id))


@bp.post("/<int:deal_id>/stage")
def stage(deal_id: int):
    """Move the deal to another stage (loss reason or contract data when the stage needs them)."""
    deal = _deal(deal_id, "edit")
    try:
        move_stage(db.session, deal, request.form.get("stage", ""), user_id=current_user.id,
                   now=clock().now(), data=request.form.to_dict())
    except DealError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _render_card(_deal(deal_id), exc.errors, 422)
    db.session.commit()
    flash(f"Этап: {deal.stage.name}", "success")
    return redirect(url_for("deals.show", deal_id=deal.id))


@bp.post("/<int:deal_id>/edit")
def edit(deal_id: int):
    """Change amounts, probability, dates, products, discount; add a competitor offer."""
    deal = _deal(deal_id, "edit")
    data = {k: v for k, v in request.form.items() if k != "csrf_token" and not k.startswith("competitor_")}
    if request.form.get("competitor_who"):
        data["competitor_offers"] = [*deal.competitor_offers, {
            "who": request.form["competitor_who"], "price": request.form.get("competitor_price"),
            "conditions": request.form.get("competitor_conditions")}]
    try:
        apply_changes(deal, data)
    except DealError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _render_card(_deal(deal_id), exc.errors, 422)
    db.session.commit()
    flash("Сделка сохранена", "success")
    return redirect(url_for("deals.show", deal_id=deal.id))


def _local(moment: datetime) -> datetime:
    """A time typed in the form is Moscow (the configured zone) time unless it says otherwise."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(settings().timezone))


@bp.post("/<int:deal_id>/activities")
def activity(deal_id: int):
    """Log a call, meeting, e-mail or note against the deal."""
    deal = _deal(deal_id, "edit")
    raw = request.form.get("happened_at")
    try:
        happened = _local(datetime.fromisoformat(raw)) if raw else None
        log_activity(db.session, kind=request.form.get("kind", ""), subject=request.form.get("subject", ""),
                     outcome=request.form.get("outcome"), happened_at=happened, now=clock().now(),
                     user_id=current_user.id, deal=deal)
    except ValueError:
        flash("Неверная дата активности", "danger")
        return _render_card(deal, {"happened_at": ["Неверная дата"]}, 422)
    except DealError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _render_card(_deal(deal_id), exc.errors, 422)
    db.session.commit()
    return redirect(url_for("deals.show", deal_id=deal.id))
