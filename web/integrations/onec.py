"""1С in the web: picking a side of a conflict (admins), «Выставить счёт в 1С» from a deal."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from integrations.onec.service import OneCRequestError, pick_side, request_invoice
from models.platform.db import db
from web.integrations import bp
from web.security import clock


@bp.post("/admin/onec/conflicts/<int:conflict_id>")
def onec_resolve(conflict_id: int):
    """Keep the CRM's or 1С's value of a conflicting field; the next exchange writes it to the other side."""
    try:
        pick_side(db.session, current_user, conflict_id, request.form.get("side", ""), clock().now())
    except OneCRequestError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("integrations.show", code="onec")), 303
    flash("Решение принято: значение будет записано при следующем обмене", "success")
    return redirect(url_for("integrations.show", code="onec"))


@bp.post("/onec/deals/<int:deal_id>/invoice")
def onec_invoice(deal_id: int):
    """Queue an invoice for the deal's premium; the exchange job creates it in 1С."""
    try:
        request_invoice(db.session, current_user, deal_id, clock().now())
    except OneCRequestError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("deals.show", deal_id=deal_id)), 303
    flash("Счёт поставлен в очередь на выставление в 1С", "success")
    return redirect(url_for("deals.show", deal_id=deal_id))
