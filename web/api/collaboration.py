"""``/api/v1``: client and deal timelines, requests between departments (list, ask, read, thread).

Timelines take ``kind``, ``department``, ``person``, ``limit`` (1–200) and ``after`` (the
``next`` of the previous page). Refusals are ``{"error": {"code", "message", "fields"}}``:
422 for bad input (Russian messages per field), 403/404 by the access rules.
"""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint

from models.collaboration.request_service import RequestError, ask, comment_on_request, journal, request_view
from models.collaboration.timeline import TimelineError, TimelinePage, timeline
from models.platform.db import db
from models.tasks.comments import CommentError
from web.engine_support import process_engine
from web.errors import error_response
from web.security import clock

blp = Blueprint("api_collaboration", __name__, description="Лента клиента, запросы между отделами")


def _page(page: TimelinePage):
    return jsonify({"items": [{"at": e.at.isoformat(), "source": e.source, "id": e.id, "kind": e.kind,
                               "title": e.title, "lines": e.lines, "person": e.person,
                               "department": e.department,
                               "object": {"type": e.object_type, "id": e.object_id}, "decision": e.decision}
                              for e in page.entries], "next": page.next_cursor, "kinds": page.kinds})


def _timeline(subject_type: str, subject_id: int):
    try:
        return _page(timeline(db.session, current_user, subject_type, subject_id, request.args))
    except TimelineError as exc:
        return error_response(422, exc.message, "validation", fields=exc.fields)


@blp.route("/clients/<int:client_id>/timeline", methods=["GET"])
def client_timeline(client_id: int):
    """The client's timeline, newest first."""
    return _timeline("client", client_id)


@blp.route("/deals/<int:deal_id>/timeline", methods=["GET"])
def deal_timeline(deal_id: int):
    """The deal's timeline, newest first."""
    return _timeline("deal", deal_id)


def _request_json(r) -> dict:
    return {"id": r.id, "kind": r.kind, "kind_label": r.kind_label, "team": r.team, "client_id": r.client_id,
            "deal_id": r.deal_id, "subject": r.subject, "question": r.question, "details": r.details,
            "status": r.status, "status_label": r.status_label, "sla_hours": r.sla_hours,
            "due_at": r.due_at.isoformat() if r.due_at else None, "answer": r.answer,
            "answered_at": r.answered_at.isoformat() if r.answered_at else None,
            "sla_breached": r.breached_at is not None}


@blp.route("/requests", methods=["GET"])
def list_requests():
    """Requests the caller may see, newest first, and SLA compliance per department."""
    page = journal(db.session, current_user, request.args, clock().now())
    return jsonify({"items": [_request_json(r) for r in page.requests],
                    "sla": [{"team": t.team, "total": t.total, "answered": t.answered, "in_sla": t.in_sla,
                             "breached": t.breached, "open_late": t.open_late} for t in page.sla]})


@blp.route("/requests", methods=["POST"])
def create_request():
    """Ask a department: ``{"kind", "client_id", "deal_id"?, "form": {…the kind's form…}}``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(422, "Ожидается JSON-объект", "validation")
    try:
        done = ask(db.session, process_engine(), current_user, body, clock().now(),
                   current_app.extensions["crm.settings"].forms_dir)
    except RequestError as exc:
        return error_response(422, exc.message, "validation", fields=exc.fields)
    return jsonify(_request_json(done)), 201


@blp.route("/requests/<int:request_id>", methods=["GET"])
def get_request(request_id: int):
    """One request with its thread."""
    view = request_view(db.session, current_user, request_id)
    return jsonify({**_request_json(view.request), "thread": [
        {"author": c.author.full_name if c.author else None, "body": c.body, "at": c.created_at.isoformat()}
        for c in view.thread]})


@blp.route("/requests/<int:request_id>/thread", methods=["POST"])
def post_to_thread(request_id: int):
    """A message in the request's thread: ``{"body": "…"}``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):  # `true`, a list or a number has no "body" to read
        return error_response(422, "Ожидается JSON-объект", "validation")
    try:
        comment = comment_on_request(db.session, current_user, request_id, str(body.get("body") or ""),
                                     clock().now())
    except CommentError as exc:
        return error_response(422, exc.message, "validation", fields=exc.fields)
    return jsonify({"id": comment.id}), 201
