"""Timelines of a client and a deal, marking comments «решение»/«пример», the examples page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.collaboration.marks import examples_page, mark_comment
from models.collaboration.timeline import TimelineError, timeline
from models.platform.db import db
from web.collaboration import bp
from web.security import clock


def _timeline(subject_type: str, subject_id: int):
    try:
        page = timeline(db.session, current_user, subject_type, subject_id, request.args)
    except TimelineError as exc:
        for message in exc.fields.values():
            flash("; ".join(message), "warning")
        page = timeline(db.session, current_user, subject_type, subject_id, {})
        return render_template("collaboration/timeline.html", page=page, args={}), 422
    return render_template("collaboration/timeline.html", page=page, args=request.args)


@bp.get("/clients/<int:client_id>/timeline")
def client_timeline(client_id: int):
    """Everything that happened with the client across departments, newest first."""
    return _timeline("client", client_id)


@bp.get("/deals/<int:deal_id>/timeline")
def deal_timeline(deal_id: int):
    """Everything that happened with the deal, newest first."""
    return _timeline("deal", deal_id)


@bp.post("/comments/<int:comment_id>/mark")
def mark(comment_id: int):
    """Mark a comment «решение» or «пример» (with a tag and a product), or take the mark off."""
    back = mark_comment(db.session, current_user, comment_id, request.form, clock().now())
    flash("Отметка сохранена", "success")
    target = request.form.get("next") or ""
    local = target.startswith("/") and not target.startswith("//")
    return redirect(target if local else url_for("collaboration.examples", **back))


@bp.get("/examples")
def examples():
    """Good examples (objection handling and more) by product and tag; decisions on cards."""
    page = examples_page(db.session, current_user, request.args)
    return render_template("collaboration/examples.html", page=page, args=request.args)
