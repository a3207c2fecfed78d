"""Deal pages: the list with filters and flags, the funnel board, the card, stage moves, activities.

Each page calls one service of ``models.sales`` (``cards`` to read, ``service`` to act); a
refused change answers 422 with the card and the Russian messages, and the request's unit
of work keeps nothing of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.sales.activities import ACTIVITY_KINDS
from models.sales.cards import deal_card, deal_list
from models.sales.deals import FLAG_LABELS, DealError
from models.sales.queries import DealFilter
from models.sales.service import change_deal, log_deal_activity, move_deal
from web.deals import bp
from web.security import clock, settings


def positive_int(text: str | None) -> int | None:
    """A page cursor from the query string: ASCII digits of a 32-bit id, anything else ignored."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value < 2**31 else None


def filters_of(args: Mapping[str, str], user_id: int) -> DealFilter:
    """The list's and board's filters from the query string; ``mine=1`` is the «Мои» quick filter."""
    owner = args.get("owner_id", "")
    return DealFilter(funnel=args.get("funnel") or None, stage=args.get("stage") or None,
                      status=args.get("status") or None,
                      owner_id=user_id if args.get("mine") == "1" else positive_int(owner),
                      flag=args.get("flag") or None, q=args.get("q") or None,
                      before_id=positive_int(args.get("before")))


@bp.get("/")
def index():
    """Deals with filters (funnel, stage, status, flag, search); the funnel as a board."""
    filters = filters_of(request.args, current_user.id)
    page = deal_list(db.session, current_user, clock().now(), filters)
    return render_template("deals/index.html", rows=page.rows, funnels=page.funnels, board=page.board,
                           columns=page.columns, next_before=page.next_before, filters=filters,
                           flag_labels=FLAG_LABELS, loss_reasons=page.loss_reasons,
                           mine=request.args.get("mine") == "1")


def render_card(deal_id: int, errors: dict | None = None, status: int = 200, **extra):
    """The deal card answered as ``status``; ``extra`` goes to the template (sections of other
    features, such as the discount request form with what was typed)."""
    card = deal_card(db.session, current_user, deal_id, clock().now())
    return render_template(
        "deals/show.html", deal=card.deal, flags=card.flags, flag_labels=FLAG_LABELS, stays=card.stays,
        activities=card.activities, more_activities=card.more_activities, tasks=card.tasks,
        processes=card.processes, managers=card.managers,
        loss_reasons=card.loss_reasons, kinds=ACTIVITY_KINDS, errors=errors or {}, **extra), status



def _refused(deal_id: int, exc: DealError):
    flash(str(exc), "danger")
    return render_card(deal_id, exc.errors, 422)


@bp.get("/<int:deal_id>")
def show(deal_id: int):
    """The deal card: stage path, amounts, competitors, activity timeline, tasks."""
    return render_card(deal_id)


@bp.post("/<int:deal_id>/stage")
def stage(deal_id: int):
    """Move the deal to another stage (loss reason or contract data when the stage needs them)."""
    try:
        deal = move_deal(db.session, current_user, deal_id, request.form.get("stage", ""),
                         request.form.to_dict(), clock().now())
    except DealError as exc:
        return _refused(deal_id, exc)
    flash(f"Этап: {deal.stage.name}", "success")
    return redirect(url_for("deals.show", deal_id=deal_id))


@bp.post("/<int:deal_id>/edit")
def edit(deal_id: int):
    """Change amounts, probability, dates, products, discount; add a competitor offer."""
    form = request.form
    data = {k: v for k, v in form.items() if k != "csrf_token" and not k.startswith("competitor_")}
    competitor = None
    if form.get("competitor_who"):
        competitor = {"who": form["competitor_who"], "price": form.get("competitor_price"),
                      "conditions": form.get("competitor_conditions")}
    try:
        change_deal(db.session, current_user, deal_id, data, competitor=competitor, now=clock().now())
    except DealError as exc:
        return _refused(deal_id, exc)
    flash("Сделка сохранена", "success")
    return redirect(url_for("deals.show", deal_id=deal_id))


def _local(moment: datetime) -> datetime:
    """A time typed in the form is Moscow (the configured zone) time unless it says otherwise."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(settings().timezone))


@bp.post("/<int:deal_id>/activities")
def activity(deal_id: int):
    """Log a call, meeting, e-mail or note against the deal."""
    raw = request.form.get("happened_at")
    try:
        happened = _local(datetime.fromisoformat(raw)) if raw else None
    except ValueError:
        flash("Неверная дата активности", "danger")
        return render_card(deal_id, {"happened_at": ["Неверная дата"]}, 422)
    try:
        log_deal_activity(db.session, current_user, deal_id, kind=request.form.get("kind", ""),
                          subject=request.form.get("subject", ""), outcome=request.form.get("outcome"),
                          happened_at=happened, now=clock().now())
    except DealError as exc:
        return _refused(deal_id, exc)
    return redirect(url_for("deals.show", deal_id=deal_id))
