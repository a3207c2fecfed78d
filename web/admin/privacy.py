"""Personal data on request (152-ФЗ): export a person's data as JSON or HTML, erase it.

Administrators only (the blueprint's guard), always with a reason; the rules live in
``models.privacy.service``.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.ids import parse_int
from models.privacy.service import PrivacyError, erase_person, export_person
from web.admin import bp
from web.security import clock


def _subject() -> tuple[str, int]:
    return request.form.get("subject_type", ""), parse_int(request.form.get("subject_id")) or 0


@bp.get("/privacy")
def privacy():
    """The form: whose data, what to do, on what grounds."""
    return render_template("admin/privacy.html")


@bp.post("/privacy/export")
def privacy_export():
    """Everything held about one person, as JSON (``format=json``) or a printable HTML page."""
    subject_type, subject_id = _subject()
    try:
        data = export_person(db.session, current_user, subject_type, subject_id,
                             request.form.get("reason", ""), clock().now())
    except PrivacyError as exc:
        return render_template("admin/privacy.html", error=str(exc)), 422
    if request.form.get("format") == "json":
        answer = jsonify(data)
        answer.headers["Content-Disposition"] = f'attachment; filename="pd-{subject_type}-{subject_id}.json"'
        return answer
    return render_template("admin/privacy_export.html", data=data)


@bp.post("/privacy/erase")
def privacy_erase():
    """Anonymise one person's data; deals keep their figures."""
    subject_type, subject_id = _subject()
    try:
        erase_person(db.session, current_user, subject_type, subject_id, request.form.get("reason", ""),
                     clock().now())
    except PrivacyError as exc:
        return render_template("admin/privacy.html", error=str(exc)), 422
    flash("Персональные данные обезличены; суммы сделок сохранены", "success")
    return redirect(url_for("admin.privacy"))
