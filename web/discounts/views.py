"""Discount pages: the approver's queue, a request, asking from the deal card, recall, answer, the log.

Each view parses, calls one service of ``models.discounts`` and renders; a refusal answers
the deal card (or the request page) again with 422/409 and the Russian messages, and the
request's unit of work keeps nothing of it. The decision itself is taken on the approval
task's page in the inbox (the process task page with this package's context panel above
the form); ``/discounts/requests/<id>/task`` — the link in the approver's e-mail — only
opens that page (a GET never acts; the login page comes first when needed).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.errors import ConflictError, FormValidationError
from models.discounts.errors import DiscountConflict, DiscountError
from models.discounts.pages import approver_queue, discount_log, request_page, task_for
from models.discounts.requests import LEVEL_LABELS, STATUS_LABELS
from models.discounts.service import answer_counter, recall_request, request_discount
from models.platform.db import db
from web.deals.views import render_card
from web.discounts import bp
from web.engine_support import process_engine
from web.errors import error_response
from web.security import clock

REQUEST_FIELDS = ("product", "discount", "discount_unit", "justification", "competitor_index", "base_premium")


@bp.get("/")
def index():
    """«Согласование скидок»: what waits for my decision, every open request for those who oversee, mine."""
    queue = approver_queue(db.session, current_user, clock().now())
    return render_template("discounts/index.html", queue=queue, levels=LEVEL_LABELS)


def _request_page(request_id: int, status: int = 200):
    page = request_page(db.session, current_user, request_id, clock().now().date())
    return render_template(
        "discounts/request.html", page=page, ctx=page.context, statuses=STATUS_LABELS
    ), status


@bp.get("/requests/<int:request_id>")
def show(request_id: int):
    """A request: its route and decisions, the context the approver sees, what I may do."""
    return _request_page(request_id)


@bp.get("/requests/<int:request_id>/task")
def open_task(request_id: int):
    """The link in the e-mail: the request's open task for me (decision or answer), else the request."""
    task = task_for(db.session, current_user, request_id)
    if task is None:
        flash("По этому запросу от вас сейчас ничего не ждут — вот его история.", "info")
        return redirect(url_for("discounts.show", request_id=request_id))
    return redirect(url_for("inbox.process_task", task_id=task.id))


def _request_data() -> dict:
    form = request.form
    data = {name: form.get(name, "").strip() for name in REQUEST_FIELDS}
    if form.get("competitor_who", "").strip():
        data["competitor"] = {
            "who": form["competitor_who"],
            "price": form.get("competitor_price", ""),
            "conditions": form.get("competitor_conditions", ""),
        }
    return data


@bp.post("/deals/<int:deal_id>/requests")
def ask(deal_id: int):
    """Ask for a discount from the deal card; within an approval nothing is started."""
    done = request_discount(
        db.session, process_engine(), current_user, deal_id, _request_data(), clock().now()
    )
    flash(done.message, "success" if done.request is not None else "info")
    return redirect(url_for("deals.show", deal_id=deal_id, _anchor="discounts"))


@bp.post("/requests/<int:request_id>/recall")
def recall(request_id: int):
    """The manager withdraws a request still waiting (a reason is welcome, not required)."""
    done = recall_request(
        db.session, process_engine(), current_user, request_id, request.form.get("reason", ""), clock().now()
    )
    flash(f"Запрос №{done.id} отозван", "success")
    return redirect(url_for("deals.show", deal_id=done.deal_id, _anchor="discounts"))


@bp.post("/requests/<int:request_id>/answer")
def answer(request_id: int):
    """Accept or decline a counter-offer from the deal card or the request page."""
    choice = request.form.get("answer", "")
    done = answer_counter(
        db.session, process_engine(), current_user, request_id, choice, request.form.get("answer_comment", "")
    )
    flash(
        "Встречное предложение принято: скидка согласована"
        if choice == "accept"
        else "Вы отказались от встречного предложения",
        "success",
    )
    return redirect(url_for("deals.show", deal_id=done.task.business_id, _anchor="discounts"))


@bp.errorhandler(DiscountError)
@bp.errorhandler(DiscountConflict)
@bp.errorhandler(FormValidationError)
@bp.errorhandler(ConflictError)
def _refused(exc: Exception):
    """A refused action: the unit of work has rolled back; the page the form came from says why."""
    status = 422 if isinstance(exc, DiscountError | FormValidationError) else 409
    message = getattr(exc, "message", str(exc))
    args = request.view_args or {}
    if request.endpoint == "discounts.ask":
        errors = exc.errors if isinstance(exc, DiscountError) else {}
        flash("Запрос скидки не отправлен: " + message, "danger" if status == 422 else "warning")
        return render_card(
            args["deal_id"], {}, status, discount_errors=errors, discount_typed=_request_data()
        )
    if "request_id" not in args:
        return error_response(status, message, "validation" if status == 422 else "conflict")
    if isinstance(exc, FormValidationError):
        message = "Выберите: принять встречное предложение или отказаться"
    flash(message, "danger" if status == 422 else "warning")
    return _request_page(args["request_id"], status)


def _day(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name) or "") if request.args.get(name) else default
    except ValueError:
        return default


@bp.get("/log")
def log():
    """The discount log per manager: requested vs approved, approval rate, average discount."""
    today = clock().now().date()
    since, until = _day("since", today - timedelta(days=90)), _day("until", today)
    page = discount_log(db.session, current_user, since, until, request.args.get("manager_id", type=int))
    return render_template("discounts/log.html", page=page)
