"""Lead pages: «Лиды» list, manual creation, the card with routing reason and the outcome form.

The outcome form is the task's own form drawn by the one renderer (``web.forms``) and
completed by the one service (``models.tasks.process_tasks``), exactly as in the inbox;
errors of the form come back in place (422) with Russian field messages and what was typed.
The card, the list and the hand-over are services of ``models.sales``; a hand-over tells
both managers itself.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.sales.cards import LeadCard, lead_card
from models.sales.distribution import DistributionError, reassign_lead
from models.sales.intake import LeadInvalid, receive_lead
from models.sales.leads import LEAD_SOURCE_LABELS, LEAD_STATUS_LABELS
from models.sales.queries import LEAD_PAGE, list_leads
from web.deals.views import positive_int
from web.engine_support import process_engine
from web.forms import build_fields
from web.forms.page import FormRefused, picker_clients, submit_task_form, task_form
from web.leads import bp
from web.security import clock


@bp.get("/")
def index():
    """Leads the user may see, newest first, filtered by status and source."""
    status = request.args.get("status") or None
    mine = request.args.get("mine") == "1"
    leads = list_leads(db.session, current_user, status=status, source=request.args.get("source") or None,
                       assigned_to_id=current_user.id if mine else None,
                       before_id=positive_int(request.args.get("before")), limit=LEAD_PAGE + 1)
    next_before = leads[LEAD_PAGE - 1].id if len(leads) > LEAD_PAGE else None
    return render_template("leads/index.html", leads=leads[:LEAD_PAGE], statuses=LEAD_STATUS_LABELS,
                           sources=LEAD_SOURCE_LABELS, status=status, mine=mine, next_before=next_before)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Enter a lead by hand (a phone call, a meeting); it goes through the same process."""
    if request.method == "GET":
        return render_template("leads/new.html", form={}, errors={})
    try:
        lead = receive_lead(db.session, process_engine(), request.form.to_dict(), source="manual",
                            user_id=current_user.id, remote_addr=None)
    except LeadInvalid as refused:
        return render_template("leads/new.html", form=request.form, errors=refused.errors), 422
    flash(f"Лид №{lead.id} создан и распределён", "success")
    return redirect(url_for("leads.show", lead_id=lead.id))


def _render_card(card: LeadCard, errors: dict | None = None, form: dict | None = None, status: int = 200):
    fields = []
    if card.task is not None and card.task.form:
        schema, ui = task_form(card.task)
        fields = build_fields(schema, ui, form or {}, errors or {})
    return render_template("leads/show.html", lead=card.lead, task=card.task, fields=fields,
                           picker_clients=picker_clients(fields), managers=card.managers,
                           may_distribute=card.may_distribute), status


@bp.get("/<int:lead_id>")
def show(lead_id: int):
    """The lead card: contact data, source and UTM, routing decision, outcome form."""
    return _render_card(lead_card(db.session, current_user, lead_id))


@bp.post("/<int:lead_id>/outcome")
def outcome(lead_id: int):
    """Complete the lead's open task with the outcome form."""
    card = lead_card(db.session, current_user, lead_id)
    if card.task is None:
        abort(409)
    try:
        submit_task_form(card.task, card=card.lead)
    except FormRefused as refused:
        return _render_card(card, refused.errors, refused.typed, 422)
    if card.lead.deal_id:  # the process's «qualify» step opened the deal in this same session
        flash("Лид квалифицирован: сделка открыта", "success")
        return redirect(url_for("deals.show", deal_id=card.lead.deal_id))
    flash("Результат сохранён", "success")
    return redirect(url_for("leads.show", lead_id=lead_id))


@bp.post("/<int:lead_id>/reassign")
def reassign(lead_id: int):
    """Hand the lead to another manager with a reason (senior managers); both are told."""
    try:
        reassign_lead(db.session, current_user, lead_id, request.form.get("user_id", type=int) or 0,
                      request.form.get("reason", ""), clock().now())
    except DistributionError as exc:
        flash(str(exc), "danger")
        return _render_card(lead_card(db.session, current_user, lead_id), status=422)
    flash("Лид передан", "success")
    return redirect(url_for("leads.show", lead_id=lead_id))
