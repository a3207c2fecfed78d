"""``/api/v1/leads``: list, read and create leads (a created lead starts ``lead_handling``).

Like every view, each call runs in the request's unit of work (``web.transactions``):
a created lead is committed with its process when the answer is 201, and nothing is kept
when the call is refused.
"""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, fields

from models.platform.db import db
from models.sales.access import get_lead as load_lead
from models.sales.intake import LeadInvalid, receive_lead
from models.sales.queries import list_leads
from web.api.schema import ApiSchema
from web.engine_support import process_engine

blp = Blueprint("api_leads", __name__, description="Лиды")


class LeadSchema(ApiSchema):
    id = fields.Int()
    status = fields.Str()
    source = fields.Str()
    name = fields.Str(allow_none=True)
    company = fields.Str(allow_none=True)
    inn = fields.Str(allow_none=True)
    phone = fields.Str(allow_none=True)
    email = fields.Str(allow_none=True)
    comment = fields.Str(allow_none=True)
    utm_source = fields.Str(allow_none=True)
    utm_medium = fields.Str(allow_none=True)
    utm_campaign = fields.Str(allow_none=True)
    client_kind = fields.Str(allow_none=True)
    territory = fields.Str(allow_none=True)
    industry = fields.Str(allow_none=True)
    client_id = fields.Int(allow_none=True)
    deal_id = fields.Int(allow_none=True)
    funnel_code = fields.Str(allow_none=True)
    team_code = fields.Str(allow_none=True)
    assigned_to_id = fields.Int(allow_none=True)
    routing_reason = fields.Str(allow_none=True)
    rejection_reason = fields.Str(allow_none=True)
    instance_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()


class LeadInSchema(ApiSchema):
    class Meta:
        unknown = EXCLUDE

    name = fields.Str()
    company = fields.Str()
    inn = fields.Str()
    phone = fields.Str()
    email = fields.Str()
    comment = fields.Str()
    source = fields.Str()
    client_kind = fields.Str()
    territory = fields.Str()
    industry = fields.Str()
    utm_source = fields.Str()
    utm_medium = fields.Str()
    utm_campaign = fields.Str()
    utm_content = fields.Str()
    utm_term = fields.Str()


class LeadQuerySchema(ApiSchema):
    status = fields.Str()
    source = fields.Str()
    assigned_to_id = fields.Int()


@blp.route("/leads")
class Leads(MethodView):
    @blp.arguments(LeadQuerySchema, location="query")
    @blp.response(200, LeadSchema(many=True))
    def get(self, query: dict):
        """Leads the caller may see, newest first."""
        return list_leads(db.session, current_user, **query)

    @blp.arguments(LeadInSchema)
    @blp.response(201, LeadSchema)
    def post(self, data: dict):
        """Create a lead and start its processing (routing, the manager's task)."""
        try:
            return receive_lead(db.session, process_engine(), data, source="api",
                                user_id=current_user.id, remote_addr=request.remote_addr)
        except LeadInvalid as refused:
            abort(422, messages=refused.errors)


@blp.route("/leads/<int:lead_id>")
@blp.response(200, LeadSchema)
def get_lead(lead_id: int):
    """One lead with its routing decision and outcome."""
    return load_lead(db.session, current_user, lead_id)
