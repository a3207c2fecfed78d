"""The quality dashboard, the admin's rules page, the loss-reason review and the workflow violations."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.quality.loss_review import VERDICTS, ReviewError, review_loss, review_queue
from models.quality.rules import CHECKS, RECORDS
from models.quality.service import RuleError, add_rule, dashboard, rules_page, toggle_rule
from models.quality.violations import violation_list
from web.quality import bp
from web.security import clock


@bp.get("/")
def index():
    """Completeness per owner and per team, open issues, the history of fixes."""
    return render_template("quality/index.html", board=dashboard(db.session, current_user))


@bp.get("/rules")
def rules():
    """The rules per client kind and deal stage."""
    return render_template("quality/rules.html", rules=rules_page(db.session, current_user), errors={},
                           form={}, checks=CHECKS, records=RECORDS)


@bp.post("/rules")
def create_rule():
    """Add a rule; a refused one comes back with the messages."""
    try:
        add_rule(db.session, current_user, request.form)
    except RuleError as exc:
        return render_template("quality/rules.html", rules=rules_page(db.session, current_user),
                               errors=exc.fields, form=request.form, checks=CHECKS, records=RECORDS), 422
    flash("Правило добавлено", "success")
    return redirect(url_for("quality.rules"))


@bp.post("/rules/defaults")
def load_defaults():
    """Load the shipped rules (only when there are none yet)."""
    rules_page(db.session, current_user, load_defaults=True)
    return redirect(url_for("quality.rules"))


@bp.post("/rules/<int:rule_id>/toggle")
def toggle(rule_id: int):
    """Switch a rule off or on."""
    toggle_rule(db.session, current_user, rule_id)
    return redirect(url_for("quality.rules"))


@bp.get("/losses")
def losses():
    """The team's lost deals waiting for a verdict on their reason, and the latest verdicts."""
    waiting, reviewed = review_queue(db.session, current_user)
    return render_template("quality/losses.html", waiting=waiting, reviewed=reviewed, verdicts=VERDICTS,
                           errors={}, failed=None)


@bp.post("/losses/<int:deal_id>")
def review(deal_id: int):
    """«Обоснованно» or «Вернуть в работу» (with a note) for one lost deal."""
    try:
        review_loss(db.session, current_user, deal_id, request.form, clock().now())
    except ReviewError as exc:
        waiting, reviewed = review_queue(db.session, current_user)
        return render_template("quality/losses.html", waiting=waiting, reviewed=reviewed, verdicts=VERDICTS,
                               errors=exc.fields, failed=deal_id), 422
    flash("Проверка записана", "success")
    return redirect(url_for("quality.losses"))


@bp.get("/violations")
def violations():
    """Refused attempts: stage gates and КП above the approved discount."""
    return render_template("quality/violations.html", rows=violation_list(db.session, current_user))
