"""Templates: the list with versions, upload (checked, nothing stored on refusal), placeholders, preview."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.documents.kinds import KINDS
from models.documents.placeholders import search
from models.documents.templates import preview_template, template_list, upload_template
from models.platform.db import db
from web.documents import bp
from web.security import clock


def render_templates(status: int = 200, preview=None):
    query = request.args.get("q", "")
    return render_template(
        "documents/templates.html",
        templates=template_list(db.session),
        kinds=KINDS,
        placeholders=search(query),
        q=query,
        preview=preview,
    ), status


@bp.get("/templates")
def templates():
    """Templates by kind with their versions, the upload form and the searchable placeholders."""
    return render_templates()


def _file():
    upload = request.files.get("file")
    return (upload.filename or "", upload.read()) if upload else ("", b"")


@bp.post("/templates")
def template_upload():
    """Upload a new template (or, with ``template_id``, a new version of one)."""
    filename, data = _file()
    template_id = request.form.get("template_id", type=int)
    version = upload_template(
        db.session,
        current_user,
        kind=request.form.get("kind", ""),
        name=request.form.get("name", ""),
        filename=filename,
        data=data,
        now=clock().now(),
        template_id=template_id,
    )
    flash(
        f"Шаблон «{version.template.name}» v{version.number} загружен: полей — {len(version.placeholders)}",
        "success",
    )
    return redirect(url_for("documents.templates"))


@bp.get("/templates/<int:template_id>/preview")
def template_preview(template_id: int):
    """The template rendered against a chosen deal (nothing stored)."""
    preview = preview_template(
        db.session, current_user, template_id, request.args.get("deal_id"), clock().now()
    )
    return render_templates(preview=preview)
