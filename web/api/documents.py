"""``/api/v1/documents``: list, get, generate, upload a version, download, start approval, send.

Each handler calls one function of ``models.documents``. Refusals are
``{"error": {"code", "message", "fields"}}``: 422 bad input or a bad file, 409
``not_approved`` when a document whose kind needs approval is not approved (or another state
refuses), 403/404 by the access rules.
"""

from __future__ import annotations

import base64
import binascii

from flask import Response, jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields

from models.documents.access import get_document
from models.documents.approval import start_approval
from models.documents.documents import DOCX_TYPE, generate_document, upload_version, version_content
from models.documents.pages import archive, parse_archive_filter
from models.documents.sending import queue_edo, queue_email
from models.platform.db import db
from web.api.schema import ApiSchema
from web.engine_support import process_engine
from web.formatting import viewer_zone
from web.security import clock

blp = Blueprint(
    "api_documents", __name__, description="Документы: формирование, версии, согласование, отправка"
)

_RU = {"required": "Обязательное поле", "null": "Поле не может быть пустым", "invalid": "Неверное значение"}


class _Body(ApiSchema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Неизвестное поле", "type": "Ожидается JSON-объект"}


class GenerateSchema(_Body):
    deal_id = fields.Int(required=True, error_messages={**_RU, "invalid": "Ожидается целое число"})
    kind = fields.Str(required=True, error_messages=_RU)
    template_id = fields.Int(allow_none=True, load_default=None, error_messages=_RU)


class VersionInSchema(_Body):
    filename = fields.Str(required=True, error_messages=_RU)
    content_base64 = fields.Str(required=True, error_messages=_RU)
    comment = fields.Str(load_default="", error_messages=_RU)


class SendSchema(_Body):
    channel = fields.Str(required=True, error_messages=_RU)
    to = fields.Str(load_default="", error_messages=_RU)


class VersionSchema(ApiSchema):
    number = fields.Int()
    filename = fields.Str()
    sha256 = fields.Str()
    size = fields.Int()
    source = fields.Str()
    comment = fields.Str(allow_none=True)
    author_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()


class ApprovalOutSchema(ApiSchema):
    approver_id = fields.Int(allow_none=True)
    stage_name = fields.Str()
    decision = fields.Str()
    comment = fields.Str(allow_none=True)
    version_number = fields.Int()
    sha256 = fields.Str()
    at = fields.DateTime()
    valid = fields.Bool()


class SendingOutSchema(ApiSchema):
    id = fields.Int()
    channel = fields.Str()
    status = fields.Str()
    recipient = fields.Str()
    version_number = fields.Int()
    message_id = fields.Str(allow_none=True)
    operation_id = fields.Str(allow_none=True)
    error = fields.Str(allow_none=True)


class DocumentSchema(ApiSchema):
    id = fields.Int()
    number = fields.Str()
    kind = fields.Str()
    title = fields.Str()
    status = fields.Str()
    deal_id = fields.Int(allow_none=True)
    client_id = fields.Int()
    amount = fields.Decimal(as_string=True, allow_none=True)
    discount = fields.Decimal(as_string=True, allow_none=True)
    current_version = fields.Int()
    approved_version = fields.Int(allow_none=True)
    created_at = fields.DateTime()


class DocumentFullSchema(DocumentSchema):
    versions = fields.List(fields.Nested(VersionSchema))
    approvals = fields.List(fields.Nested(ApprovalOutSchema))
    sendings = fields.List(fields.Nested(SendingOutSchema))


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


@blp.route("/documents", methods=["GET"])
def documents_list():
    """Documents I may see: ``client``, ``deal_id``, ``kind``, ``status``, ``number``, ``from``, ``to``."""
    flt = parse_archive_filter(request.args)
    if flt.errors:
        raise ValidationError(flt.errors)
    return jsonify(DocumentSchema(many=True).dump(archive(db.session, current_user, flt, viewer_zone())))


@blp.route("/documents", methods=["POST"])
def documents_generate():
    """Generate a document of a deal from the latest template of ``kind`` (201)."""
    values = _body(GenerateSchema())
    document = generate_document(
        db.session,
        current_user,
        deal_id=values["deal_id"],
        kind=values["kind"],
        now=clock().now(),
        template_id=values["template_id"],
    )
    return jsonify(DocumentFullSchema().dump(document)), 201


@blp.route("/documents/<int:document_id>", methods=["GET"])
def documents_get(document_id: int):
    """A document with its versions, approvals and sendings."""
    return jsonify(DocumentFullSchema().dump(get_document(db.session, current_user, document_id)))


@blp.route("/documents/<int:document_id>/versions", methods=["POST"])
def documents_upload(document_id: int):
    """Upload a version: multipart ``file`` (+ ``comment``) or JSON ``{filename, content_base64, comment}``"""
    if request.files.get("file"):
        upload = request.files["file"]
        filename, data, comment = upload.filename or "", upload.read(), request.form.get("comment", "")
    else:
        values = _body(VersionInSchema())
        try:
            data = base64.b64decode(values["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"content_base64": ["Ожидается содержимое файла в base64"]}) from None
        filename, comment = values["filename"], values["comment"]
    version = upload_version(
        db.session,
        current_user,
        document_id,
        filename=filename,
        data=data,
        comment=comment,
        now=clock().now(),
    )
    return jsonify(VersionSchema().dump(version)), 201


@blp.route("/documents/<int:document_id>/versions/<int:number>", methods=["GET"])
def documents_download(document_id: int, number: int):
    """The version's DOCX."""
    version = version_content(db.session, current_user, document_id, number)
    return Response(version.content, mimetype=DOCX_TYPE, headers={"X-Content-SHA256": version.sha256})


@blp.route("/documents/<int:document_id>/approval", methods=["POST"])
def documents_start_approval(document_id: int):
    """Send the current version on its approval route."""
    document = start_approval(db.session, process_engine(), current_user, document_id, clock().now())
    return jsonify(DocumentSchema().dump(document))


@blp.route("/documents/<int:document_id>/send", methods=["POST"])
def documents_send(document_id: int):
    """Send the current version: ``{"channel": "email", "to": "…"}`` or ``{"channel": "edo"}`` (201)."""
    values = _body(SendSchema())
    if values["channel"] == "email":
        sending = queue_email(db.session, current_user, document_id, values["to"], clock().now())
    elif values["channel"] == "edo":
        sending = queue_edo(db.session, current_user, document_id, clock().now())
    else:
        raise ValidationError({"channel": ["Допустимо: email, edo"]})
    return jsonify(SendingOutSchema().dump(sending)), 201
