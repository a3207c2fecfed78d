"""Telephony in the web: Mango's event webhooks, recordings played through the CRM, click-to-call."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, send_file, url_for
from flask_login import current_user

from integrations.telephony.service import (
    CallError,
    handle_webhook,
    note_refusal,
    recording_file,
    request_callback,
)
from models.platform.db import db
from models.platform.unit_of_work import unit_of_work
from web.integrations import bp, hooks
from web.security import clock, csrf_exempt, public, settings


@hooks.post("/mango/events/<kind>")
@public
@csrf_exempt
def mango_event(kind: str):
    """One Mango VPBX event (fields ``vpbx_api_key``, ``sign``, ``json``), refused unless signed and new."""
    answer = handle_webhook(db.session, kind, request.form.to_dict(), settings(), clock().now())
    if answer.status >= 400:
        with unit_of_work(db.session):
            note_refusal(db.session, kind, answer, clock().now())
        return jsonify(error={"code": "refused", "message": answer.message}), answer.status
    return jsonify(result=1000)


@bp.get("/calls/<int:call_id>/recording")
def recording(call_id: int):
    """The recording of a call, streamed by the CRM to whoever may see the call's client."""
    path = recording_file(db.session, current_user, call_id, settings())
    return send_file(path, mimetype="audio/mpeg", conditional=True, max_age=0)


@bp.post("/calls/dial")
def dial():
    """Click-to-call: the PBX rings the user's extension, then the client's number."""
    client_id = request.form.get("client_id", type=int)
    phone = request.form.get("phone", "")
    try:
        request_callback(db.session, current_user, client_id or 0, phone, clock().now())
    except CallError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("clients.show", client_id=client_id or 0)), 303
    flash("Соединяем: АТС позвонит на ваш телефон, затем клиенту", "success")
    return redirect(url_for("clients.show", client_id=client_id))
