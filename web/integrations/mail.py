"""Inbound e-mail in the web: the triage queue, attachments, replies from a card that keep the thread."""

from __future__ import annotations

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from integrations.imap.service import (
    MailError,
    triage,
    triage_page,
)
from integrations.imap.service import (
    attachment as get_attachment,
)
from integrations.imap.service import (
    reply as send_reply,
)
from models.platform.db import db
from web.engine_support import process_engine
from web.integrations import bp
from web.security import clock, settings


@bp.get("/mail/triage")
def mail_triage():
    """Letters from unknown senders: create a lead, link to a client, or ignore."""
    return render_template("integrations/triage.html", page=triage_page(db.session, current_user))


@bp.post("/mail/<int:message_id>/triage")
def mail_triage_action(message_id: int):
    """One decision on a letter of the triage queue."""
    try:
        message = triage(
            db.session,
            process_engine(),
            current_user,
            message_id,
            request.form.get("action", ""),
            request.form.get("client_id", type=int),
            clock().now(),
        )
    except MailError as exc:
        flash(exc.message, "danger")
        return render_template("integrations/triage.html", page=triage_page(db.session, current_user)), 422
    flash(
        {"lead": "Лид создан", "linked": "Письмо привязано к клиенту", "ignored": "Письмо пропущено"}[
            message.triage
        ],
        "success",
    )
    return redirect(url_for("integrations.mail_triage"))


@bp.get("/mail/attachments/<int:attachment_id>")
def attachment(attachment_id: int):
    """An attachment of a letter, to whoever may view the letter's client."""
    row = get_attachment(db.session, current_user, attachment_id)
    return send_file(
        BytesIO(row.data),
        mimetype=row.content_type or "application/octet-stream",
        as_attachment=True,
        download_name=row.filename,
    )


@bp.post("/mail/<int:message_id>/reply")
def mail_reply(message_id: int):
    """Answer a letter from the card; the answer goes through the outbox and stays in the thread."""
    back = request.form.get("back") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    try:
        send_reply(
            db.session,
            current_user,
            message_id,
            request.form.get("body", ""),
            clock().now(),
            settings().mail_from,
        )
    except MailError as exc:
        flash(exc.message, "danger")
        return redirect(back), 303
    flash("Ответ поставлен в очередь на отправку", "success")
    return redirect(back)
