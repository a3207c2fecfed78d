"""``/api/v1/processes`` and ``/api/v1/messages``: start processes and send messages from outside.

For integrations (a payment system reporting a payment, a site starting a process):
machines authenticate with a personal API token of a user allowed to manage processes.
Each call is one engine step; the request's unit of work commits it.
"""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from models.platform.permissions import Permission, require
from web.api.schema import ApiSchema
from web.engine_support import process_engine

blp = Blueprint("api_processes", __name__, description="Процессы и сообщения")


class StartSchema(ApiSchema):
    data = fields.Dict(load_default=dict)
    business_type = fields.Str(load_default=None)
    business_id = fields.Int(load_default=None)
    title = fields.Str(load_default=None)


class InstanceSchema(ApiSchema):
    id = fields.Int()
    process_key = fields.Str()
    status = fields.Str()
    version = fields.Function(lambda i: i.definition.version)
    business_type = fields.Str(allow_none=True)
    business_id = fields.Int(allow_none=True)
    next_timer_at = fields.DateTime(allow_none=True)


class MessageSchema(ApiSchema):
    name = fields.Str(required=True)
    correlation = fields.Dict(load_default=dict)
    payload = fields.Dict(load_default=dict)


class DeliverySchema(ApiSchema):
    status = fields.Str()
    instance_ids = fields.List(fields.Int())
    message_id = fields.Int()


@blp.route("/processes/<key>/instances", methods=["POST"])
@blp.arguments(StartSchema)
@blp.response(201, InstanceSchema)
def start_instance(args: dict, key: str):
    """Start the latest version of process ``key``."""
    require(current_user, Permission.MANAGE_PROCESSES)
    instance = process_engine().start(key, args["data"], business_type=args["business_type"],
                                      business_id=args["business_id"], title=args["title"],
                                      user_id=current_user.id)
    return instance


@blp.route("/process-instances/<int:instance_id>")
@blp.response(200, InstanceSchema)
def get_instance(instance_id: int):
    """One process instance's status."""
    require(current_user, Permission.VIEW_PROCESSES)
    return process_engine().instance(instance_id)


@blp.route("/messages", methods=["POST"])
@blp.arguments(MessageSchema)
@blp.response(202, DeliverySchema)
def post_message(args: dict):
    """Deliver a message; ``status`` says whether it reached, started or matched nothing."""
    require(current_user, Permission.MANAGE_PROCESSES)
    result = process_engine().send_message(args["name"], args["correlation"], args["payload"],
                                           current_user.id)
    return result.as_dict()
