"""Requests between departments: ask (a form per kind), the request with its thread, the journal."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.collaboration.request_service import (
    RequestError,
    ask,
    comment_on_request,
    journal,
    kind_form,
    request_view,
)
from models.collaboration.requests import KINDS
from models.platform.db import db
from models.platform.links import readable_label
from web.collaboration import bp
from web.engine_support import process_engine
from web.forms import build_fields
from web.forms.parser import parse_form
from web.security import clock


def _forms_dir():
    return current_app.extensions["crm.settings"].forms_dir


def _ask_page(values: dict, errors: dict, status: int = 200):
    kind = values.get("kind") or request.args.get("kind") or ""
    fields = []
    if kind in KINDS:
        schema, ui = kind_form(_forms_dir(), kind)
        fields = build_fields(schema, ui, values.get("form", {}), errors)
    client_id = values.get("client_id") or request.args.get("client", "")
    deal_id = values.get("deal_id") or request.args.get("deal", "")
    return render_template(
        "collaboration/ask.html", kinds=KINDS, kind=kind, fields=fields, errors=errors,
        client_id=client_id, deal_id=deal_id,
        client_label=values.get("client_label") or readable_label(db.session, current_user, "client",
                                                                  client_id),
        deal_label=values.get("deal_label") or readable_label(db.session, current_user, "deal", deal_id),
    ), status


@bp.get("/requests/new")
def new_request():
    """The form of a request: pick the kind, then its own form."""
    return _ask_page({}, {})


@bp.post("/requests")
def create_request():
    """Send the request to its department; a refused form comes back with the messages."""
    kind = request.form.get("kind", "")
    values: dict[str, object] = {"kind": kind, "client_id": request.form.get("client_id", ""),
              "deal_id": request.form.get("deal_id", ""),
              "client_label": request.form.get("client_label", ""),
              "deal_label": request.form.get("deal_label", "")}
    try:
        schema, ui = kind_form(_forms_dir(), kind)
        parsed = parse_form(schema, ui, request.form, request.files, lambda _f: "")
        values["form"] = parsed.data
        done = ask(db.session, process_engine(), current_user, values, clock().now(), _forms_dir(),
                   field_errors=parsed.errors)
    except RequestError as exc:
        values["form"] = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return _ask_page(values, exc.fields, 422)
    flash(f"Запрос №{done.id} отправлен: {done.team}", "success")
    return redirect(url_for("collaboration.request", request_id=done.id))


@bp.get("/requests/<int:request_id>", endpoint="request")
def show_request(request_id: int):
    """One request: the question, the answer, the SLA, open tasks and the thread."""
    return render_template("collaboration/request.html", view=request_view(db.session, current_user,
                                                                           request_id))


@bp.post("/requests/<int:request_id>/comments")
def comment(request_id: int):
    """A message in the request's thread; @login mentions notify colleagues."""
    comment_on_request(db.session, current_user, request_id, request.form.get("body", ""), clock().now())
    return redirect(_local(request.form.get("next")) or url_for("collaboration.request",
                                                                request_id=request_id))


@bp.get("/requests")
def requests_journal():
    """The journal of requests per client and per department, with SLA compliance."""
    page = journal(db.session, current_user, request.args, clock().now())
    return render_template("collaboration/journal.html", page=page, kinds=KINDS)


def _local(url: str | None) -> str | None:
    """Only a path of this site (``/…``, not ``//host``) is followed back after a form."""
    return url if url and url.startswith("/") and not url.startswith("//") else None
