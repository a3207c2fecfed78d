"""Telegram in the web: the bot's webhook and the user's «Привязать Telegram» page."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from integrations.telegram.service import Refused, link_page, new_code, note_refusal, receive, unlink
from models.platform.db import db
from models.platform.unit_of_work import unit_of_work
from web.engine_support import process_engine
from web.integrations import bp, hooks
from web.security import clock, csrf_exempt, public, settings


@hooks.post("/telegram")
@public
@csrf_exempt
def telegram_update():
    """One Bot API update; refused without the secret token Telegram was given in setWebhook."""
    try:
        answer = receive(
            db.session,
            process_engine(),
            settings(),
            request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
            request.get_json(silent=True),
            clock().now(),
        )
    except Refused as exc:
        with unit_of_work(db.session):
            note_refusal(db.session, exc.message, clock().now())
        return jsonify(error={"code": "refused", "message": exc.message}), exc.status
    return jsonify(answer)


@bp.get("/telegram")
def telegram_link():
    """The user's Telegram: linked or not, and how to link."""
    return render_template("integrations/telegram.html", page=link_page(db.session, current_user))


@bp.post("/telegram/code")
def telegram_code():
    """A new one-time linking code for the current user."""
    return render_template(
        "integrations/telegram.html", page=new_code(db.session, current_user, clock().now())
    )


@bp.post("/telegram/unlink")
def telegram_unlink():
    """Unlink the current user's Telegram account."""
    unlink(db.session, current_user)
    return redirect(url_for("integrations.telegram_link"))
