"""``/api/v1/me``: who the token or session belongs to."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields

from web.api.schema import ApiSchema

blp = Blueprint("api_me", __name__, description="Текущий пользователь")


class MeSchema(ApiSchema):
    id = fields.Int()
    login = fields.Str()
    full_name = fields.Str()
    email = fields.Str(allow_none=True)
    role = fields.Str()
    department = fields.Function(lambda u: u.department.code if u.department else None)


@blp.route("/me")
@blp.response(200, MeSchema)
def me():
    """The authenticated user."""
    return current_user
