"""``/api/v1/tasks``: the inbox for machines — list with filters, get, create, complete, claim,
reassign, comment. Process tasks are ``/tasks/process/<id>``, ad-hoc tasks ``/tasks/adhoc/<id>``.

Bodies are checked with marshmallow schemas whose messages are Russian; every refusal is
``{"error": {"code", "message", "fields"}}`` and leaves nothing stored: the handlers raise, the
request's unit of work rolls back, and the blueprint's error handlers answer. Each handler
calls one function of ``models.tasks`` (``service``, ``pages``, ``adhoc.create_task``).
"""

from __future__ import annotations

from datetime import UTC

from flask import jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from engine.errors import ConflictError, FormValidationError
from engine.tables import HumanTask
from models.platform.db import db
from models.platform.ids import parse_int
from models.tasks import service
from models.tasks.adhoc import TaskConflict, TaskError, TaskInput, create_task
from models.tasks.comments import CommentError
from models.tasks.cursor import BadCursor
from models.tasks.inbox import SECTIONS
from models.tasks.pages import inbox_section
from web.api.schema import ApiSchema
from web.engine_support import process_engine
from web.inbox.common import default_zone, grace, now, parse_filters

blp = Blueprint("api_tasks", __name__, description="Задачи: входящие, выполнение, назначение")

_RU = {
    "required": "Обязательное поле",
    "null": "Поле не может быть пустым",
    "invalid": "Неверное значение",
    "invalid_utf8": "Неверная строка",
    "format": "Неверный формат",
}


def _ru(field_class, **kwargs):
    messages = dict(_RU)
    if field_class is fields.AwareDateTime:
        messages["invalid"] = "Ожидается дата и время ISO 8601, например 2026-02-01T15:00:00+03:00"
        messages["invalid_awareness"] = "Укажите часовой пояс, например +03:00"
    if field_class is fields.Int:
        messages["invalid"] = "Ожидается целое число"
    if field_class is fields.Bool:
        messages["invalid"] = "Ожидается true или false"
    return field_class(error_messages=messages, **kwargs)


class _Body(ApiSchema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "Неизвестное поле", "type": "Ожидается JSON-объект"}


class TaskCreateSchema(_Body):
    title = _ru(fields.Str, required=True)
    description = _ru(fields.Str, allow_none=True)
    assignee_id = _ru(fields.Int, allow_none=True)
    department = _ru(fields.Str, allow_none=True)
    business_type = _ru(fields.Str, allow_none=True)
    business_id = _ru(fields.Int, allow_none=True)
    due_at = _ru(fields.AwareDateTime, allow_none=True)
    remind_at = _ru(fields.AwareDateTime, allow_none=True)
    priority = _ru(fields.Int, load_default=2)


class CompleteSchema(_Body):
    data = _ru(fields.Dict, load_default=dict)


class ReassignSchema(_Body):
    assignee_id = _ru(fields.Int, required=True)
    reason = _ru(fields.Str, load_default="")
    delegate = _ru(fields.Bool, load_default=False)


class CommentSchema(_Body):
    body = _ru(
        fields.Str, required=True, validate=validate.Length(min=1, error="Комментарий не может быть пустым")
    )


class InboxItemSchema(ApiSchema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.Str()
    id = fields.Int()
    title = fields.Str()
    status = fields.Str()
    priority = fields.Int()
    due_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    assignee_id = fields.Int(allow_none=True)
    original_assignee_id = fields.Int(allow_none=True)
    process_key = fields.Str(allow_none=True)
    business_type = fields.Str(allow_none=True)
    business_id = fields.Int(allow_none=True)
    escalated = fields.Bool()
    labels = fields.Dict()


class TaskSchema(ApiSchema):
    id = fields.Int()
    title = fields.Str()
    status = fields.Str()
    priority = fields.Int()
    assignee_id = fields.Int(allow_none=True)
    original_assignee_id = fields.Int(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    business_type = fields.Str(allow_none=True)
    business_id = fields.Int(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    escalated_at = fields.AwareDateTime(allow_none=True)
    kind = fields.Function(lambda t: "process" if isinstance(t, HumanTask) else "adhoc")
    description = fields.Str(attribute="description", allow_none=True)
    department = fields.Function(
        lambda t: t.candidate_department if isinstance(t, HumanTask) else t.department
    )
    candidate_role = fields.Function(lambda t: t.candidate_role if isinstance(t, HumanTask) else None)
    process_key = fields.Function(lambda t: t.process_key if isinstance(t, HumanTask) else None)
    instance_id = fields.Function(lambda t: t.instance_id if isinstance(t, HumanTask) else None)
    form = fields.Function(lambda t: t.form if isinstance(t, HumanTask) else None)
    completed_data = fields.Function(lambda t: t.completed_data if isinstance(t, HumanTask) else None)


def _error(status: int, code: str, message: str, fields_: dict | None = None):
    """The API's error body (the unit of work rolls back: the status is an error)."""
    body = {"error": {"code": code, "message": message, "fields": fields_ or {}}}
    return jsonify(body), status


@blp.errorhandler(ValidationError)
def _invalid_body(exc: ValidationError):
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return _error(422, "validation", "Данные не прошли проверку", messages)


@blp.errorhandler(FormValidationError)
def _invalid_form(exc: FormValidationError):
    return _error(422, "validation", exc.message, exc.errors)


@blp.errorhandler(TaskError)
def _task_error(exc: TaskError):
    if isinstance(exc, TaskConflict):
        return _error(409, "conflict", exc.message)
    return _error(422, "validation", exc.message, exc.fields)


@blp.errorhandler(CommentError)
def _comment_error(exc: CommentError):
    return _error(422, "validation", exc.message, exc.fields)


@blp.errorhandler(ConflictError)
def _conflict(exc: ConflictError):
    return _error(409, "conflict", exc.message)


def _body(schema: Schema) -> dict:
    payload = request.get_json(silent=True)
    if payload is None:
        raise ValidationError({"_schema": ["Ожидается JSON-объект"]})
    return schema.load(payload)


@blp.route("/tasks", methods=["GET"])
@blp.response(200)
def list_tasks():
    """Inbox section (``section`` = my | queue | overdue | today | completed) with filters and counters;
    ``next`` is the ``after`` token of the following page (null on the last one)."""
    section = request.args.get("section", "my")
    if section not in SECTIONS:
        return _error(
            422, "validation", "Неизвестный раздел", {"section": [f"Допустимо: {', '.join(SECTIONS)}"]}
        )
    limit = min(parse_int(request.args.get("limit", "")) or 50, 200)
    filters = parse_filters(request.args)
    try:
        found = inbox_section(db.session, current_user, section, filters, now(), default_zone(),
                              limit=limit, after=request.args.get("after") or None)
    except BadCursor as exc:
        return _error(422, "validation", str(exc), {"after": [str(exc)]})
    return {"items": InboxItemSchema(many=True).dump(found.rows), "counts": found.counts, "next": found.next}


@blp.route("/tasks", methods=["POST"])
@blp.response(201, TaskSchema)
def create():
    """Create an ad-hoc task (for me, a colleague or a department)."""
    values = _body(TaskCreateSchema())
    for key in ("due_at", "remind_at"):
        if values.get(key):
            values[key] = values[key].astimezone(UTC)
    return create_task(db.session, TaskInput(**values), current_user, now(), grace())


@blp.route("/tasks/<any(process,adhoc):kind>/<int:task_id>", methods=["GET"])
@blp.response(200, TaskSchema)
def get_task(kind: str, task_id: int):
    """One task."""
    return service.get_task(db.session, current_user, kind, task_id)


@blp.route("/tasks/<any(process,adhoc):kind>/<int:task_id>/complete", methods=["POST"])
@blp.response(200)
def complete(kind: str, task_id: int):
    """Complete: a process task with its form ``data`` (validated), an ad-hoc task as done.

    A process task goes through ``complete_process_task``, like the inbox page and the lead
    card; the answer lists the process's next open steps and says what happens next.
    """
    values = _body(CompleteSchema())
    done = service.complete_task(db.session, process_engine(), current_user, kind, task_id, values["data"],
                                 now(), grace())
    answer = {"task": TaskSchema().dump(done.task), "next": TaskSchema(many=True).dump(done.upcoming)}
    if done.message is not None:
        answer["message"] = done.message
    return answer


@blp.route("/tasks/<any(process,adhoc):kind>/<int:task_id>/claim", methods=["POST"])
@blp.response(200, TaskSchema)
def claim_task(kind: str, task_id: int):
    """Take a task from my role's or department's queue (409 if someone was faster)."""
    return service.claim_task(db.session, current_user, kind, task_id, now())


@blp.route("/tasks/<any(process,adhoc):kind>/<int:task_id>/reassign", methods=["POST"])
@blp.response(200, TaskSchema)
def reassign_task(kind: str, task_id: int):
    """Give the task to a colleague (``reason`` required) or delegate it (``delegate: true``)."""
    values = _body(ReassignSchema())
    return service.reassign_task(db.session, current_user, kind, task_id, values["assignee_id"],
                                 values["reason"], now(), delegate=values["delegate"])


@blp.route("/tasks/<any(process,adhoc):kind>/<int:task_id>/comments", methods=["POST"])
@blp.response(201)
def comment(kind: str, task_id: int):
    """Comment on a task; ``@login`` mentions notify colleagues."""
    values = _body(CommentSchema())
    row = service.comment_on_task(db.session, current_user, kind, task_id, values["body"], now())
    return {
        "id": row.id,
        "body": row.body,
        "mentions": row.mentions,
        "created_at": row.created_at.isoformat(),
    }
