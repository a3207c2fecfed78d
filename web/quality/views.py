"""The quality dashboard and the admin's rules page (add, switch off/on, load the shipped set)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.quality.rules import CHECKS, RECORDS
from models.quality.service import RuleError, add_rule, dashboard, rules_page, toggle_rule
from web.quality import bp


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
