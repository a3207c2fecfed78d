"""Lead pages: «Лиды» list, manual creation, the card with routing reason and the outcome form.

The outcome form is the task's own form drawn by the one renderer (``web.forms``) and
completed by the one service (``models.tasks.process_tasks``), exactly as in the inbox;
errors of the form come back in place (422) with Russian field messages and what was typed.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.tables import HumanTask, TaskStatus
from models.platform.db import db
from models.platform.permissions import Permission, can_access, has_permission, require_access
from models.sales.distribution import DistributionError, notify_reassignment, reassign_lead
from models.sales.intake import submit_lead
from models.sales.leads import LEAD_SOURCES, LEAD_STATUS_LABELS, Lead, check_lead_input
from models.sales.queries import assignable_managers, list_leads
from web.engine_support import process_engine
from web.forms import build_fields
from web.forms.page import FormRefused, picker_clients, submit_task_form, task_form
from web.leads import bp
from web.security import clock


def _lead(lead_id: int) -> Lead:
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        abort(404)
    require_access(current_user, lead, "view")
    return lead


def _open_task(lead: Lead) -> HumanTask | None:
    return db.session.scalar(select(HumanTask).where(
        HumanTask.business_type == "lead", HumanTask.business_id == lead.id,
        HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id.desc()))


def _may_work(task: HumanTask, lead: Lead) -> bool:
    return task.assignee_id == current_user.id or can_access(current_user, lead, "edit")


@bp.get("/")
def index():
    """Leads the user may see, newest first, filtered by status and source."""
    status = request.args.get("status") or None
    mine = request.args.get("mine") == "1"
    leads = list_leads(db.session, current_user, status=status, source=request.args.get("source") or None,
                       assigned_to_id=current_user.id if mine else None)
    return render_template("leads/index.html", leads=leads, statuses=LEAD_STATUS_LABELS,
                           sources=LEAD_SOURCES, status=status, mine=mine)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Enter a lead by hand (a phone call, a meeting); it goes through the same process."""
    if request.method == "GET":
        return render_template("leads/new.html", form={}, errors={})
    checked = check_lead_input(request.form.to_dict())
    if checked.errors:
        return render_template("leads/new.html", form=request.form, errors=checked.errors), 422
    lead = submit_lead(db.session, process_engine(), checked.values, source="manual",
                       user_id=current_user.id, remote_addr=None)
    db.session.commit()
    flash(f"Лид №{lead.id} создан и распределён", "success")
    return redirect(url_for("leads.show", lead_id=lead.id))


def _render_card(lead: Lead, errors: dict | None = None, form: dict | None = None, status: int = 200):
    task = _open_task(lead)
    may_work = task is not None and _may_work(task, lead)
    fields = []
    if task is not None and may_work and task.form:
        schema, ui = task_form(task)
        fields = build_fields(schema, ui, form or {}, errors or {})
    managers = assignable_managers(db.session)
    return render_template("leads/show.html", lead=lead, task=task if may_work else None, fields=fields,
                           picker_clients=picker_clients(fields), managers=managers,
                           may_distribute=has_permission(current_user, Permission.DISTRIBUTE_WORK)), status


@bp.get("/<int:lead_id>")
def show(lead_id: int):
    """The lead card: contact data, source and UTM, routing decision, outcome form."""
    return _render_card(_lead(lead_id))


@bp.post("/<int:lead_id>/outcome")
def outcome(lead_id: int):
    """Complete the lead's open task with the outcome form."""
    lead = _lead(lead_id)
    task = _open_task(lead)
    if task is None or not _may_work(task, lead):
        abort(409)
    try:
        submit_task_form(task, card=lead)
    except FormRefused as refused:
        return _render_card(lead, refused.errors, refused.typed, 422)
    db.session.refresh(lead)
    if lead.deal_id:
        flash("Лид квалифицирован: сделка открыта", "success")
        return redirect(url_for("deals.show", deal_id=lead.deal_id))
    flash("Результат сохранён", "success")
    return redirect(url_for("leads.show", lead_id=lead.id))


@bp.post("/<int:lead_id>/reassign")
def reassign(lead_id: int):
    """Hand the lead to another manager with a reason (senior managers)."""
    lead = _lead(lead_id)
    new_id = request.form.get("user_id", type=int) or 0
    try:
        handover = reassign_lead(db.session, current_user, lead, new_id, request.form.get("reason", ""))
    except DistributionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _render_card(lead, status=422)
    notify_reassignment(db.session, clock().now(), what=handover.what, old_id=handover.old_id,
                        new_id=handover.new_id, reason=request.form["reason"], by=current_user)
    db.session.commit()
    flash("Лид передан", "success")
    return redirect(url_for("leads.show", lead_id=lead.id))
