"""Manual distribution for senior managers: the workload page and hand-overs with a reason.

The hand-over services (``models.sales.distribution``) check the rights, move the work and
tell both managers; a refused hand-over changes nothing and comes back as a message.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.sales.cards import workload_of
from models.sales.distribution import DistributionError, reassign_deal, reassign_portfolio
from web.deals import bp
from web.security import clock


@bp.get("/workload")
def workload_page():
    """Per manager: open deals by stage, open and overdue tasks, leads this week, plan."""
    return render_template("deals/workload.html", rows=workload_of(db.session, current_user, clock().now()))


@bp.post("/reassign")
def reassign():
    """Hand a deal or a whole client portfolio to another manager; both are notified."""
    form = request.form
    new_id = form.get("user_id", type=int) or 0
    reason = form.get("reason", "")
    try:
        if form.get("deal_id"):
            deal_id = form.get("deal_id", type=int) or 0
            handover = reassign_deal(db.session, current_user, deal_id, new_id, reason, clock().now())
            target = url_for("deals.show", deal_id=deal_id)
        else:
            handover = reassign_portfolio(db.session, current_user, form.get("from_id", type=int) or 0,
                                          new_id, reason, clock().now())
            target = url_for("deals.workload_page")
    except DistributionError as exc:
        # Refused before anything changed, so the redirect's commit keeps nothing.
        flash(str(exc), "danger")
        return redirect(request.referrer or url_for("deals.workload_page"))
    flash(f"Передано: {handover.what}", "success")
    return redirect(target)
