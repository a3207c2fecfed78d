"""Answers to the sign-off's refusals, for pages and the API alike.

``DiscountNotApproved`` (a КП above the approved discount) is kept in the violation log in a
unit of work of its own — the request's unit has already rolled back, so nothing else is
kept — and answered 422: JSON with the message under ``requested_discount`` for the API,
the deal card with the message for pages. ``DiscountError`` is 422 and ``DiscountConflict``
409 wherever a view lets them rise.
"""

from __future__ import annotations

from flask import Flask, flash, request
from flask_login import current_user

from models.discounts.approvals import record_violation
from models.discounts.errors import DiscountConflict, DiscountError, DiscountNotApproved
from models.platform.db import db
from models.platform.unit_of_work import unit_of_work
from web.deals.views import render_card
from web.errors import error_response
from web.security import clock


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def not_approved(exc: DiscountNotApproved):
    """Keep the attempt, then refuse it naming the approved limit."""
    if exc.user_id is None and current_user.is_authenticated:
        exc.user_id = current_user.id
    with unit_of_work(db.session):
        record_violation(db.session, exc, clock().now())
    if _wants_json():
        return error_response(422, exc.message, "discount_not_approved", fields=exc.errors)
    flash(exc.message, "danger")
    return render_card(exc.deal_id, exc.errors, 422, discount_refused=exc)


def init_app(app: Flask) -> None:
    app.register_error_handler(DiscountNotApproved, not_approved)

    @app.errorhandler(DiscountError)
    def _invalid(exc: DiscountError):
        return error_response(422, exc.message, "validation", fields=exc.errors)

    @app.errorhandler(DiscountConflict)
    def _conflict(exc: DiscountConflict):
        return error_response(409, exc.message, "conflict")
