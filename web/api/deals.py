"""``/api/v1/deals``: list with filters, read, create, update, move stage, log an activity.

Each call is one service of ``models.sales`` in the request's unit of work
(``web.transactions``): kept when the answer is below 400, thrown away otherwise. A refused
change is 422 with Russian messages per field; a missing deal 404, another's deal 403.
"""

from __future__ import annotations

from datetime import datetime

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, fields, validate

from models.platform.db import db
from models.sales.access import get_deal
from models.sales.deals import DealError, deal_flags, time_in_stages
from models.sales.queries import DealFilter, list_api_deals
from models.sales.service import change_deal, log_deal_activity, move_deal, open_deal_for
from web.api.schema import ApiSchema
from web.security import clock

blp = Blueprint("api_deals", __name__, description="Сделки")


class DealSchema(ApiSchema):
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


class DealInSchema(ApiSchema):
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


class StageInSchema(ApiSchema):
    stage = fields.Str(required=True)
    loss_reason_id = fields.Int()
    loss_comment = fields.Str()
    contract_number = fields.Str()
    contract_start = fields.Str()
    contract_end = fields.Str()
    contract_premium = fields.Raw()


class ActivityInSchema(ApiSchema):
    kind = fields.Str(required=True)
    subject = fields.Str(required=True)
    outcome = fields.Str()
    happened_at = fields.AwareDateTime()


class ActivitySchema(ApiSchema):
    id = fields.Int()
    kind = fields.Str()
    subject = fields.Str()
    outcome = fields.Str(allow_none=True)
    happened_at = fields.DateTime()
    deal_id = fields.Int(allow_none=True)


class DealQuerySchema(ApiSchema):
    funnel = fields.Str()
    stage = fields.Str()
    status = fields.Str()
    owner_id = fields.Int()
    client_id = fields.Int()
    flag = fields.Str()
    q = fields.Str()
    before_id = fields.Int(validate=validate.Range(min=1, max=2**31 - 1),
                           metadata={"description": "курсор: сделки с номером меньше этого"})
    limit = fields.Int(load_default=100, validate=validate.Range(min=1, max=500))


def _refused(exc: DealError):
    abort(422, messages=exc.errors)


@blp.route("/deals")
class Deals(MethodView):
    @blp.arguments(DealQuerySchema, location="query")
    @blp.response(200, DealSchema(many=True))
    def get(self, query: dict):
        """Deals the caller may see, newest first, ``limit`` at a time (the next page: ``before_id`` =
        the last id received); ``flag`` is stuck, no_activity, offer_expiring or registry."""
        limit = query.pop("limit")
        return list_api_deals(db.session, current_user, clock().now(), DealFilter(**query), limit)

    @blp.arguments(DealInSchema)
    @blp.response(201, DealSchema)
    def post(self, data: dict):
        """Open a deal for a client in the first stage of its funnel."""
        try:
            return open_deal_for(db.session, current_user, data, clock().now())
        except DealError as exc:
            _refused(exc)


@blp.route("/deals/<int:deal_id>")
class DealItem(MethodView):
    @blp.response(200, DealSchema)
    def get(self, deal_id: int):
        """One deal with flags and time in each stage."""
        return get_deal(db.session, current_user, deal_id)

    @blp.arguments(DealInSchema)
    @blp.response(200, DealSchema)
    def patch(self, data: dict, deal_id: int):
        """Change amounts, dates, probability, products, competitors, discount."""
        try:
            return change_deal(db.session, current_user, deal_id, data, now=clock().now(), channel="api")
        except DealError as exc:
            _refused(exc)


@blp.route("/deals/<int:deal_id>/stage", methods=["POST"])
@blp.arguments(StageInSchema)
@blp.response(200, DealSchema)
def move(data: dict, deal_id: int):
    """Move to a stage; «lost» needs ``loss_reason_id``, «won» the contract data."""
    try:
        return move_deal(db.session, current_user, deal_id, data["stage"], data, clock().now(), channel="api")
    except DealError as exc:
        _refused(exc)


@blp.route("/deals/<int:deal_id>/activities", methods=["POST"])
@blp.arguments(ActivityInSchema)
@blp.response(201, ActivitySchema)
def add_activity(data: dict, deal_id: int):
    """Log a call, meeting, e-mail or note; the deal's last-activity date follows."""
    happened: datetime | None = data.get("happened_at")
    try:
        return log_deal_activity(db.session, current_user, deal_id, kind=data["kind"],
                                 subject=data["subject"], outcome=data.get("outcome"), happened_at=happened,
                                 now=clock().now())
    except DealError as exc:
        _refused(exc)
