"""``/api/v1/discounts``: requests (list, ask, read, decide, answer, recall), quote, approvals, log.

Each handler calls one function of ``models.discounts`` in the request's unit of work.
Refusals are ``{"error": {"code", "message", "fields"}}``: 422 for bad input (Russian
messages per field), 409 when the request moved on (decided, recalled, another one open, a
second decision a moment after the first), 403/404 by the access rules; a КП above the
approved discount (the deal API) is 422 ``discount_not_approved`` and is logged.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields

from models.discounts.access import get_request
from models.discounts.authority import money_text
from models.discounts.pages import deal_approvals, discount_log, list_requests, violations
from models.discounts.requests import RequestStatus, percent
from models.discounts.service import (
    answer_counter,
    decide_request,
    preview_request,
    recall_request,
    request_discount,
)
from models.platform.db import db
from web.api.schema import ApiSchema
from web.engine_support import process_engine
from web.security import clock

blp = Blueprint("api_discounts", __name__, description="Скидки: запросы, согласование, согласованные скидки")

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


class RequestInSchema(_Body):
    deal_id = _f(fields.Int, required=True)
    product = _f(fields.Str, required=True)
    discount = _f(fields.Raw, required=True)
    discount_unit = _f(fields.Str, load_default="pct")
    justification = _f(fields.Str, load_default="")
    competitor_index = _f(fields.Int, allow_none=True)
    competitor = _f(fields.Dict, allow_none=True)
    base_premium = _f(fields.Raw, allow_none=True)


class DecisionSchema(_Body):
    decision = _f(fields.Str, required=True)
    comment = _f(fields.Str, load_default="")
    counter_discount = _f(fields.Raw, allow_none=True, load_default=None)


class AnswerSchema(_Body):
    answer = _f(fields.Str, required=True)
    comment = _f(fields.Str, load_default="")


class RecallSchema(_Body):
    reason = _f(fields.Str, load_default="")


class StepSchema(ApiSchema):
    action = fields.Str()
    action_label = fields.Str()
    level = fields.Str(allow_none=True)
    actor_id = fields.Int(allow_none=True)
    discount_pct = fields.Decimal(as_string=True, allow_none=True)
    comment = fields.Str(allow_none=True)
    at = fields.AwareDateTime()


class RequestSchema(ApiSchema):
    id = fields.Int()
    deal_id = fields.Int()
    client_id = fields.Int()
    requester_id = fields.Int(allow_none=True)
    product = fields.Str()
    insured_sum = fields.Decimal(as_string=True, allow_none=True)
    base_rate = fields.Decimal(as_string=True, allow_none=True)
    base_premium = fields.Decimal(as_string=True)
    base_source = fields.Str()
    commission_rate = fields.Decimal(as_string=True, allow_none=True)
    discount_pct = fields.Decimal(as_string=True)
    discount_amount = fields.Decimal(as_string=True)
    resulting_premium = fields.Decimal(as_string=True)
    justification = fields.Str()
    competitor = fields.Dict(allow_none=True)
    loss_ratio = fields.Decimal(as_string=True, allow_none=True)
    status = fields.Str()
    status_label = fields.Str()
    level = fields.Str(allow_none=True)
    level_label = fields.Str()
    rule_id = fields.Str(allow_none=True)
    route = fields.Str(attribute="route_text")
    approver_id = fields.Int(allow_none=True)
    approver_for_id = fields.Int(allow_none=True)
    counter_pct = fields.Decimal(as_string=True, allow_none=True)
    approved_pct = fields.Decimal(as_string=True, allow_none=True)
    approved_by_id = fields.Int(allow_none=True)
    approved_at = fields.AwareDateTime(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    created_at = fields.AwareDateTime()
    steps = fields.List(fields.Nested(StepSchema))


class ApprovalSchema(ApiSchema):
    request_id = fields.Int()
    product = fields.Str()
    pct = fields.Decimal(as_string=True)
    approved_by = fields.Str()
    approved_on = fields.Date(attribute="approved_at_day")
    valid_until = fields.Date(allow_none=True)


@blp.errorhandler(ValidationError)
def _invalid_body(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return jsonify(
        {"error": {"code": "validation", "message": "Данные не прошли проверку", "fields": messages}}
    ), 422


def _body(schema: Schema) -> dict:
    payload = request.get_json(silent=True)
    if payload is None:
        raise ValidationError({"_schema": ["Ожидается JSON-объект"]})
    return schema.load(payload)


@blp.route("/discounts/requests", methods=["GET"])
@blp.response(200, RequestSchema(many=True))
def requests_list():
    """Requests I may see (``deal_id``, ``status``), or ``awaiting=1``: those waiting for my decision."""
    status = request.args.get("status") or None
    known = {
        RequestStatus.PENDING,
        RequestStatus.COUNTERED,
        RequestStatus.APPROVED,
        RequestStatus.REJECTED,
        RequestStatus.DECLINED,
        RequestStatus.RECALLED,
    }
    if status is not None and status not in known:
        raise ValidationError({"status": [f"Допустимо: {', '.join(sorted(known))}"]})
    return list_requests(
        db.session,
        current_user,
        clock().now(),
        deal_id=request.args.get("deal_id", type=int),
        status=status,
        awaiting=request.args.get("awaiting") in ("1", "true"),
    )


@blp.route("/discounts/requests", methods=["POST"])
def requests_create():
    """Ask for a discount: 201 with the request and its route; 200 with the approval it already fits in."""
    values = _body(RequestInSchema())
    deal_id = values.pop("deal_id")
    done = request_discount(db.session, process_engine(), current_user, deal_id, values, clock().now())
    if done.request is None:
        return jsonify(
            {"request": None, "covered": ApprovalSchema().dump(done.covered), "message": done.message}
        ), 200
    return jsonify({"request": RequestSchema().dump(done.request), "message": done.message}), 201


@blp.route("/discounts/requests/<int:request_id>", methods=["GET"])
@blp.response(200, RequestSchema)
def requests_get(request_id: int):
    """One request with its route and every step of its sign-off."""
    return get_request(db.session, current_user, request_id)


@blp.route("/discounts/requests/<int:request_id>/decision", methods=["POST"])
def requests_decide(request_id: int):
    """Decide as approver: approve | counter (``counter_discount``) | reject | escalate | to_underwriting."""
    values = _body(DecisionSchema())
    done = decide_request(db.session, process_engine(), current_user, request_id, values)
    return jsonify(
        {
            "request": RequestSchema().dump(get_request(db.session, current_user, request_id)),
            "message": done.message,
        }
    )


@blp.route("/discounts/requests/<int:request_id>/answer", methods=["POST"])
def requests_answer(request_id: int):
    """The answer to a counter-offer: ``accept`` (it becomes the approved discount) or ``decline``."""
    values = _body(AnswerSchema())
    done = answer_counter(
        db.session, process_engine(), current_user, request_id, values["answer"], values["comment"]
    )
    return jsonify(
        {
            "request": RequestSchema().dump(get_request(db.session, current_user, request_id)),
            "message": done.message,
        }
    )


@blp.route("/discounts/requests/<int:request_id>/recall", methods=["POST"])
@blp.response(200, RequestSchema)
def requests_recall(request_id: int):
    """Withdraw a request still waiting (its approver is told)."""
    values = _body(RecallSchema())
    return recall_request(
        db.session, process_engine(), current_user, request_id, values["reason"], clock().now()
    )


@blp.route("/discounts/quote", methods=["GET"])
def quote():
    """What a request would be: base premium, the discount both ways, the level the matrix picks."""
    args = {
        k: v for k, v in request.args.items() if k in ("product", "discount", "discount_unit", "base_premium")
    }
    deal_id = request.args.get("deal_id", type=int)
    if deal_id is None:
        raise ValidationError({"deal_id": ["Ожидается целое число"]})
    seen = preview_request(db.session, process_engine(), current_user, deal_id, args, clock().now())
    return jsonify(
        {
            "base_premium": str(seen.price.premium),
            "base_premium_text": money_text(seen.price.premium),
            "base_source": seen.price.source_label,
            "discount_pct": str(seen.pct),
            "discount_pct_text": percent(seen.pct),
            "discount_amount": str(seen.amount),
            "discount_amount_text": money_text(seen.amount),
            "resulting_premium": str(seen.price.premium - seen.amount),
            "resulting_premium_text": money_text(seen.price.premium - seen.amount),
            "level": seen.level,
            "rule": seen.rule,
            "explanation": seen.explanation,
            "loss_ratio": str(seen.loss_ratio) if seen.loss_ratio is not None else None,
            "covered": seen.covered,
        }
    )


@blp.route("/discounts/approved", methods=["GET"])
@blp.response(200, ApprovalSchema(many=True))
def approved():
    """Approved discounts in force on a deal (``deal_id``; ``product`` narrows to one)."""
    deal_id = request.args.get("deal_id", type=int)
    if deal_id is None:
        raise ValidationError({"deal_id": ["Ожидается целое число"]})
    return deal_approvals(
        db.session, current_user, deal_id, request.args.get("product") or None, clock().now().date()
    )


@blp.route("/discounts/log", methods=["GET"])
def log():
    """Per manager: requested, approved, rejected…, approval rate, average requested and approved discount."""
    today = clock().now().date()
    try:
        since = date.fromisoformat(request.args.get("since") or (today - timedelta(days=90)).isoformat())
        until = date.fromisoformat(request.args.get("until") or today.isoformat())
    except ValueError:
        raise ValidationError({"since": ["Ожидается дата ГГГГ-ММ-ДД"]}) from None
    page = discount_log(db.session, current_user, since, until, request.args.get("manager_id", type=int))
    return jsonify(
        {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "managers": [
                {
                    "user_id": r.user_id,
                    "name": r.name,
                    "requested": r.requested,
                    "approved": r.approved,
                    "rejected": r.rejected,
                    "declined": r.declined,
                    "recalled": r.recalled,
                    "open": r.open,
                    "approval_rate": str(r.approval_rate) if r.approval_rate is not None else None,
                    "avg_requested": str(r.avg_requested) if r.avg_requested is not None else None,
                    "avg_approved": str(r.avg_approved) if r.avg_approved is not None else None,
                    "given_away": str(r.given_away),
                }
                for r in page.rows
            ],
        }
    )


@blp.route("/discounts/violations", methods=["GET"])
def violations_list():
    """КП refused for a discount above the approved one (for the data-quality page and reports)."""
    return jsonify(
        [
            {
                "id": v.id,
                "deal_id": v.deal_id,
                "product": v.product,
                "discount_pct": str(v.discount_pct),
                "approved_pct": str(v.approved_pct) if v.approved_pct is not None else None,
                "source": v.source,
                "user_id": v.user_id,
                "message": v.message,
                "at": v.at.isoformat(),
            }
            for v in violations(db.session, current_user)
        ]
    )
