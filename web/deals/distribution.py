"""Manual distribution for senior managers: the workload page and hand-overs with a reason."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.permissions import Permission, require
from models.sales.deals import Deal
from models.sales.distribution import (
    DistributionError,
    notify_reassignment,
    reassign_deal,
    reassign_portfolio,
)
from models.sales.queries import workload
from web.deals import bp
from web.security import clock


@bp.get("/workload")
def workload_page():
    """Per manager: open deals by stage, open and overdue tasks, leads this week, plan."""
    require(current_user, Permission.DISTRIBUTE_WORK)
    rows = workload(db.session, current_user, clock().now())
    return render_template("deals/workload.html", rows=rows)


@bp.post("/reassign")
def reassign():
    """Hand a deal or a whole client portfolio to another manager; both are notified."""
    require(current_user, Permission.DISTRIBUTE_WORK)
    form = request.form
    new_id = form.get("user_id", type=int) or 0
    reason = form.get("reason", "")
    try:
        if form.get("deal_id"):
            deal = db.session.get(Deal, form.get("deal_id", type=int) or 0)
            if deal is None:
                abort(404)
            handover = reassign_deal(db.session, current_user, deal, new_id, reason)
            target = url_for("deals.show", deal_id=deal.id)
        else:
            handover = reassign_portfolio(db.session, current_user, form.get("from_id", type=int) or 0,
                                          new_id, reason)
            target = url_for("deals.workload_page")
    except DistributionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(request.referrer or url_for("deals.workload_page"))
    notify_reassignment(db.session, clock().now(), what=handover.what, old_id=handover.old_id,
                        new_id=handover.new_id, reason=reason, by=current_user)
    db.session.commit()
    flash(f"Передано: {handover.what}", "success")
    return redirect(target)
