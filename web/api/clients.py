"""``/api/v1/clients``: list with the page's search and filters, get, create, update, merge, duplicates.

The rules are the page's rules (``models.clients``): the same validation, the same
record-level access (a manager reads only own clients: others answer 403), the same
duplicate check. Errors are JSON ``{"error": {"code", "message", "fields": {...}}}`` with
Russian messages per field; request bodies are checked by marshmallow schemas first
(unknown fields, wrong types), then by the card rules.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields
from webargs.flaskparser import FlaskParser, abort

from models.clients.access import get_client
from models.clients.duplicates import likely_duplicates
from models.clients.merge import merge_by_ids
from models.clients.search import ClientFilter, search_page
from models.clients.service import ClientInvalid, LikelyDuplicates, change_client, register_client
from models.platform.db import db
from models.platform.ids import parse_int
from models.platform.permissions import Permission, require
from web.api.schema import ApiSchema
from web.errors import error_response


class _FlatErrorsParser(FlaskParser):
    """Report schema errors per field (``fields.inn``), not per request location (``fields.json.inn``)."""

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1 and next(iter(messages)) in ("json", "query"):
            messages = next(iter(messages.values()))
        flat = {k: " ".join(v) if isinstance(v, list) else v for k, v in messages.items()}
        abort(error_status_code or 422, exc=error, messages=flat)


class ClientsBlueprint(Blueprint):
    ARGUMENTS_PARSER = _FlatErrorsParser()


blp = ClientsBlueprint("api_clients", __name__, description="Клиенты")

_STR = {"invalid": "Ожидается строка"}
_UNKNOWN = "Неизвестное поле"


def _text(**kwargs: Any) -> fields.String:
    return fields.String(allow_none=True, error_messages=_STR, **kwargs)


def _strings(**kwargs: Any) -> fields.List:
    return fields.List(fields.String(error_messages=_STR),
                       error_messages={"invalid": "Ожидается список строк"}, **kwargs)


class ContactOut(ApiSchema):
    id = fields.Int()
    full_name = fields.Str()
    position = fields.Str(allow_none=True)
    is_decision_maker = fields.Bool()
    phones = fields.List(fields.Str(), attribute="all_phones")
    emails = fields.List(fields.Str(), attribute="all_emails")


class ClientOut(ApiSchema):
    id = fields.Int()
    kind = fields.Str()
    full_name = fields.Str()
    short_name = fields.Str(allow_none=True)
    inn = fields.Str(allow_none=True)
    kpp = fields.Str(allow_none=True)
    ogrn = fields.Str(allow_none=True)
    legal_address = fields.Str(allow_none=True)
    postal_address = fields.Str(allow_none=True)
    phones = fields.List(fields.Str(), attribute="all_phones")
    emails = fields.List(fields.Str(), attribute="all_emails")
    industry = fields.Str(allow_none=True)
    territory = fields.Str(allow_none=True)
    segment = fields.Str(allow_none=True)
    status = fields.Str()
    source = fields.Str(allow_none=True)
    notes = fields.Str(allow_none=True)
    tags = fields.List(fields.Str())
    head_name = fields.Str(allow_none=True)
    head_position = fields.Str(allow_none=True)
    registry_status = fields.Str(allow_none=True)
    registry_warning = fields.Str(allow_none=True)
    owner_id = fields.Int(allow_none=True)
    owner = fields.Function(lambda c: c.owner.full_name if c.owner else None)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    contacts = fields.List(fields.Nested(ContactOut))


class ClientSummaryOut(ClientOut):
    class Meta:
        exclude = ("contacts",)


class ClientListOut(ApiSchema):
    items = fields.List(fields.Nested(ClientSummaryOut))
    next_cursor = fields.Str(allow_none=True)


class ClientIn(ApiSchema):
    """A card to create (all card rules apply) or the fields to change (PATCH)."""

    class Meta:
        unknown = "raise"

    kind = _text()
    full_name = _text()
    short_name = _text()
    inn = _text()
    kpp = _text()
    ogrn = _text()
    legal_address = _text()
    postal_address = _text()
    phones = _strings()
    emails = _strings()
    industry = _text()
    territory = _text()
    segment = _text()
    status = _text()
    source = _text()
    notes = _text()
    tags = _strings()
    head_name = _text()
    head_position = _text()
    owner_id = fields.Int(allow_none=True, error_messages={"invalid": "Ожидается целое число"})
    ignore_duplicates = fields.Bool(load_default=False,
                                    error_messages={"invalid": "Ожидается true или false"})

    def handle_error(self, error, data, **kwargs):
        for name, messages in error.messages.items():
            if messages == ["Unknown field."]:
                error.messages[name] = [_UNKNOWN]
        raise error


class MergeIn(ApiSchema):
    class Meta:
        unknown = "raise"

    other_id = fields.Int(required=True, error_messages={"required": "Укажите other_id",
                                                         "invalid": "Ожидается целое число"})
    choices = fields.Dict(keys=fields.Str(), values=fields.Str(), load_default=dict,
                          error_messages={"invalid": "Ожидается объект: поле → survivor или other"})
    reason = _text()


class DuplicateOut(ApiSchema):
    id = fields.Int(allow_none=True)
    visible = fields.Bool()
    name = fields.Str()
    inn = fields.Str(allow_none=True)
    owner = fields.Str(allow_none=True)
    reasons = fields.List(fields.Str())
    score = fields.Int()


class DuplicatesOut(ApiSchema):
    duplicates = fields.List(fields.Nested(DuplicateOut))


def _invalid(exc: ClientInvalid):
    return error_response(422, exc.message, "validation", fields=exc.fields)


def _card_input(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "ignore_duplicates"}


@blp.route("/clients")
@blp.response(200, ClientListOut)
def list_clients():
    """Clients the caller may see: ``q`` (INN, OGRN, phone, e-mail or name), filters, ``sort``, ``cursor``."""
    require(current_user, Permission.VIEW_CLIENTS)
    flt = ClientFilter.from_args(request.args)
    if flt.errors:
        return error_response(422, "Неверные параметры фильтра", "validation", fields=flt.errors)
    page = search_page(db.session, current_user, flt)
    return {"items": page.items, "next_cursor": page.next_cursor}


@blp.route("/clients", methods=["POST"])
@blp.arguments(ClientIn)
@blp.response(201, ClientOut)
def create(data: dict[str, Any]):
    """Create a client; likely duplicates answer 409 unless ``ignore_duplicates`` is true."""
    try:
        return register_client(db.session, current_user, _card_input(data),
                               ignore_duplicates=bool(data.get("ignore_duplicates")))
    except ClientInvalid as exc:
        return _invalid(exc)
    except LikelyDuplicates as exc:
        return error_response(409, exc.message, "duplicates", duplicates=exc.duplicates)


@blp.route("/clients/<int:client_id>")
@blp.response(200, ClientOut)
def get(client_id: int):
    """One client with contacts (403 when the caller may not see it, 404 when there is none)."""
    return get_client(db.session, current_user, client_id)


@blp.route("/clients/<int:client_id>", methods=["PATCH"])
@blp.arguments(ClientIn)
@blp.response(200, ClientOut)
def patch(data: dict[str, Any], client_id: int):
    """Change the given fields; the whole card must still satisfy the rules."""
    try:
        return change_client(db.session, current_user, client_id, _card_input(data), partial=True)
    except ClientInvalid as exc:
        return _invalid(exc)


@blp.route("/clients/<int:client_id>/merge", methods=["POST"])
@blp.arguments(MergeIn)
@blp.response(200, ClientOut)
def merge(data: dict[str, Any], client_id: int):
    """Merge ``other_id`` into this client; ``choices`` picks the value of each differing field."""
    try:
        return merge_by_ids(db.session, current_user, client_id, data["other_id"], data["choices"],
                            data.get("reason"))
    except ClientInvalid as exc:
        return _invalid(exc)


@blp.route("/clients/duplicates")
@blp.response(200, DuplicatesOut)
def duplicates():
    """Likely duplicates of a card: ``inn``, ``kpp``, ``full_name``/``name``, ``phone``, ``email``."""
    require(current_user, Permission.VIEW_CLIENTS)
    args = request.args.to_dict()
    args.setdefault("full_name", args.get("name", ""))
    exclude = args.get("exclude_id", "")
    if not any(args.get(k) for k in ("inn", "full_name", "phone", "email", "phones", "emails")):
        return error_response(422, "Укажите inn, name, phone или email", "validation",
                              fields={"query": "Нет ни одного ключа для поиска дубликатов"})
    return {"duplicates": likely_duplicates(db.session, current_user, args,
                                            parse_int(exclude))}
