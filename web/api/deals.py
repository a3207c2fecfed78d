"""``/api/v1/deals``: list with filters, read, create, update, move stage, log an activity."""

from __future__ import annotations

from datetime import datetime

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, fields

from models.platform.db import db
from models.platform.permissions import require_access
from models.sales.activities import log_activity
from models.sales.deal_editing import apply_changes, create_deal
from models.sales.deals import Deal, DealError, deal_flags, move_stage, time_in_stages
from models.sales.queries import DealFilter, list_deals
from web.security import clock

blp = Blueprint("api_deals", __name__, description="Сделки")


class DealSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    status = fields.Str()
    client_id = fields.Int()
    funnel = fields.Function(lambda d: d.funnel.code)
    stage = fields.Function(lambda d: d.stage.code)
    stage_name = fields.Function(lambda d: d.stage.name)
    owner_id = fields.Int(allow_none=True)
    lead_id = fields.Int(allow_none=True)
    amount = fields.Decimal(as_string=True, allow_none=True)
    premium = fields.Decimal(as_string=True, allow_none=True)
    probability = fields.Int()
    expected_close_date = fields.Date(allow_none=True)
    product_lines = fields.List(fields.Str())
    competitor_offers = fields.List(fields.Dict())
    requested_discount = fields.Decimal(as_string=True, allow_none=True)
    offer_expires_on = fields.Date(allow_none=True)
    contract_number = fields.Str(allow_none=True)
    contract_start = fields.Date(allow_none=True)
    contract_end = fields.Date(allow_none=True)
    contract_premium = fields.Decimal(as_string=True, allow_none=True)
    loss_reason = fields.Function(lambda d: d.loss_reason.name if d.loss_reason else None)
    last_activity_at = fields.DateTime(allow_none=True)
    stage_entered_at = fields.DateTime()
    flags = fields.Function(lambda d: deal_flags(d, clock().now()))
    stages = fields.Function(lambda d: [{"stage": s.code, "seconds": sec}
                                        for s, sec in time_in_stages(d, clock().now())])


class DealInSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    client_id = fields.Int()
    funnel = fields.Str()
    title = fields.Str()
    amount = fields.Raw(allow_none=True)
    premium = fields.Raw(allow_none=True)
    probability = fields.Raw(allow_none=True)
    expected_close_date = fields.Raw(allow_none=True)
    product_lines = fields.Raw()
    competitor_offers = fields.Raw()
    requested_discount = fields.Raw(allow_none=True)
    offer_expires_on = fields.Raw(allow_none=True)


class StageInSchema(Schema):
    stage = fields.Str(required=True)
    loss_reason_id = fields.Int()
    loss_comment = fields.Str()
    contract_number = fields.Str()
    contract_start = fields.Str()
    contract_end = fields.Str()
    contract_premium = fields.Raw()


class ActivityInSchema(Schema):
    kind = fields.Str(required=True)
    subject = fields.Str(required=True)
    outcome = fields.Str()
    happened_at = fields.AwareDateTime()


class ActivitySchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    subject = fields.Str()
    outcome = fields.Str(allow_none=True)
    happened_at = fields.DateTime()
    deal_id = fields.Int(allow_none=True)


class DealQuerySchema(Schema):
    funnel = fields.Str()
    stage = fields.Str()
    status = fields.Str()
    owner_id = fields.Int()
    client_id = fields.Int()
    flag = fields.Str()
    q = fields.Str()


def _refused(exc: DealError):
    abort(422, messages=exc.errors)


def _deal(deal_id: int, action: str) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None:
        abort(404, message="Сделка не найдена")
    require_access(current_user, deal, action)
    return deal


@blp.after_request
def _commit(response):
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


@blp.route("/deals")
class Deals(MethodView):
    @blp.arguments(DealQuerySchema, location="query")
    @blp.response(200, DealSchema(many=True))
    def get(self, query: dict):
        """Deals the caller may see; ``flag`` is stuck, no_activity, offer_expiring or registry."""
        return [d for d, _ in list_deals(db.session, current_user, clock().now(), DealFilter(**query))]

    @blp.arguments(DealInSchema)
    @blp.response(201, DealSchema)
    def post(self, data: dict):
        """Open a deal for a client in the first stage of its funnel."""
        try:
            deal = create_deal(db.session, data, owner_id=current_user.id, now=clock().now())
        except DealError as exc:
            _refused(exc)
        require_access(current_user, deal, "edit")
        return deal


@blp.route("/deals/<int:deal_id>")
class DealItem(MethodView):
    @blp.response(200, DealSchema)
    def get(self, deal_id: int):
        """One deal with flags and time in each stage."""
        return _deal(deal_id, "view")

    @blp.arguments(DealInSchema)
    @blp.response(200, DealSchema)
    def patch(self, data: dict, deal_id: int):
        """Change amounts, dates, probability, products, competitors, discount."""
        deal = _deal(deal_id, "edit")
        try:
            return apply_changes(deal, {k: v for k, v in data.items() if k not in ("client_id", "funnel")})
        except DealError as exc:
            _refused(exc)


@blp.route("/deals/<int:deal_id>/stage", methods=["POST"])
@blp.arguments(StageInSchema)
@blp.response(200, DealSchema)
def move(data: dict, deal_id: int):
    """Move to a stage; «lost» needs ``loss_reason_id``, «won» the contract data."""
    deal = _deal(deal_id, "edit")
    try:
        return move_stage(db.session, deal, data["stage"], user_id=current_user.id, now=clock().now(),
                          data=data)
    except DealError as exc:
        _refused(exc)


@blp.route("/deals/<int:deal_id>/activities", methods=["POST"])
@blp.arguments(ActivityInSchema)
@blp.response(201, ActivitySchema)
def add_activity(data: dict, deal_id: int):
    """Log a call, meeting, e-mail or note; the deal's last-activity date follows."""
    deal = _deal(deal_id, "edit")
    happened: datetime | None = data.get("happened_at")
    try:
        return log_activity(db.session, kind=data["kind"], subject=data["subject"],
                            outcome=data.get("outcome"),
                            happened_at=happened, now=clock().now(), user_id=current_user.id, deal=deal)
    except DealError as exc:
        _refused(exc)
