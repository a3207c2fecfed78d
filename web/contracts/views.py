"""«На продление» (board and churn figures), a contract's card with its payments, the import of the
book of business, the churn thresholds. Each view parses, calls one service of
``models.contracts`` and renders; refused input is answered with a Russian message (4xx)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.clients.imports.files import ImportFileError
from models.contracts.contracts import PAYMENT_LABELS
from models.contracts.dashboard import PERIODS, ZONES, BoardFilter
from models.contracts.imports import FIELDS
from models.contracts.pages import change_risk_settings, contract_card, renewals_page, risk_settings_page
from models.contracts.risk import ZONE_LABELS, RiskSettingsError
from models.contracts.service import ContractError, import_contracts, record_payment
from models.platform.db import db
from web.contracts import bp
from web.security import clock


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.get("/renewals")
def renewals():
    """«На продление»: contracts ending within 30/60/90 days, their risk and renewal deals; churn figures."""
    flt = BoardFilter(
        product=request.args.get("product") or None,
        manager_id=_int("manager"),
        zone=request.args.get("zone") if request.args.get("zone") in ZONES else None,
        period=_int("period") or 90,
    )
    kind = "quarter" if request.args.get("churn") == "quarter" else "month"
    page = renewals_page(db.session, current_user, clock().now(), flt, kind)
    return render_template(
        "contracts/renewals.html",
        page=page,
        board=page.board,
        churn=page.churn,
        periods=PERIODS,
        zones=ZONES,
        zone_labels=ZONE_LABELS,
    )


@bp.get("/<int:contract_id>")
def show(contract_id: int):
    """A contract: its data, payments, renewal chain, renewal deal and churn risk with reasons."""
    card = contract_card(db.session, current_user, contract_id, clock().now().date())
    return render_template(
        "contracts/show.html", card=card, payment_labels=PAYMENT_LABELS, zone_labels=ZONE_LABELS
    )


@bp.post("/<int:contract_id>/payments/<int:payment_id>")
def pay(contract_id: int, payment_id: int):
    """Mark a payment paid (the date it came in, today by default)."""
    try:
        record_payment(
            db.session,
            current_user,
            contract_id,
            payment_id,
            request.form.get("paid_on") or None,
            request.form.get("amount") or None,
            clock().now().date(),
        )
    except ContractError as refused:
        card = contract_card(db.session, current_user, contract_id, clock().now().date())
        errors = "; ".join(m for ms in refused.errors.values() for m in ms)
        return render_template(
            "contracts/show.html",
            card=card,
            payment_labels=PAYMENT_LABELS,
            zone_labels=ZONE_LABELS,
            error=errors,
        ), 422
    flash("Платёж отмечен оплаченным", "success")
    return redirect(url_for("contracts.show", contract_id=contract_id))


@bp.get("/import")
def import_form():
    """Upload the book of business (CSV/XLSX)."""
    return render_template("contracts/import.html", fields=FIELDS, batch=None, rows=[])


@bp.post("/import")
def import_upload():
    """Import the file at once, or try it (a dry run writes nothing but the results)."""
    upload = request.files.get("file")
    try:
        batch = import_contracts(
            db.session,
            current_user,
            upload.read() if upload is not None else b"",
            upload.filename if upload is not None else "",
            dry_run=request.form.get("dry_run") == "1",
            now=clock().now(),
        )
    except ImportFileError as refused:
        return render_template(
            "contracts/import.html", fields=FIELDS, batch=None, rows=[], error=str(refused)
        ), 422
    return render_template("contracts/import.html", fields=FIELDS, batch=batch, rows=batch.rows)


@bp.get("/risk-settings")
def risk_settings():
    """The churn-risk thresholds and weights (head and admin change them)."""
    return render_template("contracts/risk_settings.html", page=risk_settings_page(db.session, current_user))


@bp.post("/risk-settings")
def risk_settings_save():
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        change_risk_settings(db.session, current_user, values)
    except RiskSettingsError as refused:
        return render_template(
            "contracts/risk_settings.html",
            page=risk_settings_page(db.session, current_user),
            errors=refused.errors,
            submitted=values,
        ), 422
    flash("Пороги риска сохранены", "success")
    return redirect(url_for("contracts.risk_settings"))
