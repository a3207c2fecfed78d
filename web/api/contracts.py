"""``/api/v1/contracts``: contracts (list, create, read, pay), «На продление», churn figures,
risk thresholds, the import of the book of business.

Each handler calls one function of ``models.contracts`` in the request's unit of work.
Refusals are ``{"error": {"code", "message", "fields"}}``: 422 for bad input with Russian
messages per field, 403/404 by the contract rules.
"""

from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields

from models.clients.imports.files import ImportFileError
from models.contracts.dashboard import ZONES, BoardFilter
from models.contracts.pages import (
    change_risk_settings,
    contract_card,
    contract_list,
    renewals_page,
    risk_settings_page,
)
from models.contracts.risk import RiskSettingsError
from models.contracts.service import ContractError, create_contract, import_contracts, record_payment
from models.platform.db import db
from web.api.schema import ApiSchema
from web.security import clock

blp = Blueprint("api_contracts", __name__, description="Договоры, продления, риск ухода")

_RU = {"required": "Обязательное поле", "null": "Поле не может быть пустым", "invalid": "Неверное значение"}


def _f(field_class, **kwargs):
    messages = dict(_RU)
    if field_class is fields.Int:
        messages["invalid"] = "Ожидается целое число"
    return field_class(error_messages=messages, **kwargs)


class _Body(ApiSchema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Неизвестное поле", "type": "Ожидается JSON-объект"}


class ContractInSchema(_Body):
    client_id = _f(fields.Int, required=True)
    number = _f(fields.Str, required=True)
    product = _f(fields.Str, required=True)
    starts_on = _f(fields.Str, required=True)
    ends_on = _f(fields.Str, required=True)
    premium = _f(fields.Raw, required=True)
    insured_sum = _f(fields.Raw, allow_none=True)
    instalments = _f(fields.Int, load_default=1)
    insurer = _f(fields.Str, allow_none=True)


class PaymentInSchema(_Body):
    paid_on = _f(fields.Str, allow_none=True, load_default=None)
    amount = _f(fields.Raw, allow_none=True, load_default=None)


class PaymentSchema(ApiSchema):
    id = fields.Int()
    due_on = fields.Date()
    amount = fields.Decimal(as_string=True)
    paid_on = fields.Date(allow_none=True)
    paid_amount = fields.Decimal(as_string=True, allow_none=True)


class ContractSchema(ApiSchema):
    id = fields.Int()
    number = fields.Str()
    product = fields.Str()
    client_id = fields.Int()
    owner_id = fields.Int(allow_none=True)
    deal_id = fields.Int(allow_none=True)
    renewed_from_id = fields.Int(allow_none=True)
    insurer = fields.Str(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    premium = fields.Decimal(as_string=True)
    insured_sum = fields.Decimal(as_string=True, allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    payments = fields.List(fields.Nested(PaymentSchema))


def _invalid(fields_: dict, message: str = "Данные не прошли проверку"):
    return jsonify({"error": {"code": "validation", "message": message, "fields": fields_}}), 422


@blp.errorhandler(ValidationError)
def _invalid_body(exc: ValidationError):
    return _invalid(exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages})


def _body(schema: Schema) -> dict:
    payload = request.get_json(silent=True)
    if payload is None:
        raise ValidationError({"_schema": ["Ожидается JSON-объект"]})
    return schema.load(payload)


def _arg_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit():
        raise ValidationError({name: ["Ожидается целое число"]})
    return int(raw)


def _card(card) -> dict:
    renewal = card.renewal
    risk = card.risk
    return {
        "contract": ContractSchema().dump(card.contract),
        "payments": [{**PaymentSchema().dump(p), "state": state} for p, state in card.payments],
        "chain": [c.id for c in card.chain],
        "renewal": None
        if renewal is None
        else {
            "id": renewal.id,
            "status": renewal.status,
            "status_label": renewal.status_label,
            "deal_id": renewal.deal_id,
            "instance_id": renewal.instance_id,
            "new_contract_id": renewal.new_contract_id,
            "reason": renewal.reason,
            "offer": renewal.offer,
            "escalated_at": renewal.escalated_at.isoformat() if renewal.escalated_at else None,
        },
        "risk": None
        if risk is None
        else {
            "zone": risk.zone,
            "score": risk.score,
            "signals": risk.signals,
            "assessed_on": risk.assessed_on.isoformat(),
        },
    }


@blp.route("/contracts", methods=["GET"])
@blp.response(200, ContractSchema(many=True))
def contracts_list():
    """Contracts I may see (``client_id``, ``product``, ``status``, ``ending_within`` days), by end
    date, ``limit`` (1–1000, default 200) a page; the next page is the ``Link: <…>; rel="next"``
    header's address (``after`` = the last row's ``<ends_on>~<id>``), absent on the last page."""
    limit = min(max(_arg_int("limit") or 200, 1), 1000)
    rows = contract_list(
        db.session,
        current_user,
        clock().now().date(),
        client_id=_arg_int("client_id"),
        product=request.args.get("product") or None,
        status=request.args.get("status") or None,
        ending_within=_arg_int("ending_within"),
        after=_after(),
        limit=limit + 1,
    )
    headers = {}
    if len(rows) > limit:
        last = rows[limit - 1]
        args = {**request.args.to_dict(), "after": f"{last.ends_on.isoformat()}~{last.id}"}
        headers["Link"] = f'<{url_for("api_contracts.contracts_list", **args)}>; rel="next"'
    return rows[:limit], 200, headers


def _after() -> tuple[date, int] | None:
    """The ``after`` cursor of a contracts page, ``<ends_on>~<id>``; a 422 for anything else."""
    raw = request.args.get("after")
    if not raw:
        return None
    ends_on, _, last_id = raw.partition("~")
    try:
        return date.fromisoformat(ends_on), int(last_id)
    except ValueError:
        message = "Ожидается «ГГГГ-ММ-ДД~номер» из ссылки на следующую страницу"
        raise ValidationError({"after": [message]}) from None


@blp.route("/contracts", methods=["POST"])
def contracts_create():
    """A contract typed in for a client (201), with its payment schedule."""
    try:
        contract = create_contract(db.session, current_user, _body(ContractInSchema()))
    except ContractError as refused:
        return _invalid(refused.errors, refused.message)
    return jsonify(ContractSchema().dump(contract)), 201


@blp.route("/contracts/<int:contract_id>", methods=["GET"])
def contracts_get(contract_id: int):
    """A contract with payments (and their state), its renewal chain, renewal and churn risk."""
    return jsonify(_card(contract_card(db.session, current_user, contract_id, clock().now().date())))


@blp.route("/contracts/<int:contract_id>/payments/<int:payment_id>", methods=["POST"])
def contracts_pay(contract_id: int, payment_id: int):
    """Mark a payment paid (``paid_on`` — today by default, ``amount`` — the due amount by default)."""
    values = _body(PaymentInSchema())
    try:
        payment = record_payment(
            db.session,
            current_user,
            contract_id,
            payment_id,
            values["paid_on"],
            values["amount"],
            clock().now().date(),
        )
    except ContractError as refused:
        return _invalid(refused.errors, refused.message)
    return jsonify(PaymentSchema().dump(payment))


@blp.route("/contracts/renewals", methods=["GET"])
def contracts_renewals():
    """«На продление» (``period``, ``product``, ``manager``, ``zone``) and churn (``churn=month|quarter``)."""
    zone = request.args.get("zone") or None
    if zone is not None and zone not in ZONES:
        raise ValidationError({"zone": ["Допустимо: red, yellow, green"]})
    flt = BoardFilter(
        request.args.get("product") or None, _arg_int("manager"), zone, _arg_int("period") or 90
    )
    page = renewals_page(db.session, current_user, clock().now(), flt, request.args.get("churn") or "month")
    churn = page.churn
    return jsonify(
        {
            "rows": [
                {
                    "contract_id": r.contract.id,
                    "number": r.contract.number,
                    "client": r.contract.client.display_name,
                    "product": r.contract.product,
                    "ends_on": r.contract.ends_on.isoformat(),
                    "days_left": r.days_left,
                    "premium": str(r.contract.premium),
                    "zone": r.zone,
                    "score": r.score,
                    "signals": r.signals,
                    "renewal_status": r.renewal.status if r.renewal else None,
                    "deal_id": r.deal.id if r.deal else None,
                    "deal_stage": r.deal.stage.name if r.deal else None,
                    "last_activity_at": r.deal.last_activity_at.isoformat()
                    if r.deal and r.deal.last_activity_at
                    else None,
                    "manager_id": r.contract.owner_id,
                }
                for r in page.board.rows
            ],
            "premium_at_stake": str(page.board.premium_at_stake),
            "churn": {
                "kind": churn.kind,
                "current": {"start": churn.current.start.isoformat(), **churn.current.total.as_dict()},
                "previous": {"start": churn.previous.start.isoformat(), **churn.previous.total.as_dict()},
                "by_manager": {m: churn.current.by_manager[m].as_dict() for m in churn.managers()},
                "by_product": {p: churn.current.by_product[p].as_dict() for p in churn.products()},
            },
        }
    )


@blp.route("/contracts/risk-settings", methods=["GET"])
def contracts_risk_settings():
    """The churn thresholds and weights in force."""
    return jsonify(risk_settings_page(db.session, current_user).values)


@blp.route("/contracts/risk-settings", methods=["PUT"])
def contracts_risk_settings_put():
    """Change thresholds (head, admin): ``{"red_from": 70, …}``."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ValidationError({"_schema": ["Ожидается JSON-объект"]})
    try:
        return jsonify(change_risk_settings(db.session, current_user, payload))
    except RiskSettingsError as refused:
        return _invalid(refused.errors, refused.message)


@blp.route("/contracts/import", methods=["POST"])
def contracts_import():
    """Import a CSV/XLSX file of contracts (``file``; ``dry_run=1`` writes only the results)."""
    upload = request.files.get("file")
    try:
        batch = import_contracts(
            db.session,
            current_user,
            upload.read() if upload is not None else b"",
            upload.filename or "" if upload is not None else "",
            dry_run=request.form.get("dry_run") == "1",
            now=clock().now(),
        )
    except ImportFileError as refused:
        return _invalid({"file": [str(refused)]}, str(refused))
    return jsonify(
        {
            **batch.summary(),
            "rows": [{"row": r.row_no, "outcome": r.outcome, "reason": r.reason} for r in batch.rows],
        }
    )
