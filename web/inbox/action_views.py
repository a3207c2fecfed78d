"""Claim, release, reassign, delegate and comment: the same forms for process and ad-hoc tasks."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.permissions import can_access
from models.tasks.actions import claim, reassign, release
from models.tasks.adhoc import TaskConflict, TaskError
from models.tasks.comments import CommentError, add_comment
from web.errors import error_response
from web.inbox import bp
from web.inbox.common import load_task, now, optional_int


def _back(kind: str, task_id: int):
    endpoint = "inbox.process_task" if kind == "process" else "inbox.task"
    return redirect(url_for(endpoint, task_id=task_id))


def _fail(exc: TaskError, kind: str, task_id: int, status: int):
    """Refused: nothing is kept; the task page explains why and keeps what was typed."""
    db.session.rollback()
    flash(exc.message, "danger")
    from web.inbox.task_views import render_any

    return render_any(kind, task_id, status, typed=dict(request.form), action_errors=exc.fields)


@bp.post("/<kind>/<int:task_id>/claim")
def claim_task(kind: str, task_id: int):
    """Take a task from my role's or department's queue (409 when a colleague was faster)."""
    record = load_task(kind, task_id, None)
    try:
        claim(db.session, record, current_user, now())
        db.session.commit()
    except TaskConflict as exc:
        if can_access(current_user, record):
            return _fail(exc, kind, task_id, 409)
        db.session.rollback()
        return error_response(409, exc.message, "conflict")
    flash("Задача взята в работу", "success")
    return _back(kind, task_id)


@bp.post("/<kind>/<int:task_id>/release")
def release_task(kind: str, task_id: int):
    """Put a claimed task back into its queue."""
    record = load_task(kind, task_id)
    try:
        release(db.session, record, current_user, now())
        db.session.commit()
    except TaskConflict as exc:
        return _fail(exc, kind, task_id, 409)
    flash("Задача возвращена в очередь", "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<kind>/<int:task_id>/reassign")
def reassign_task(kind: str, task_id: int):
    """Give the task to a colleague (reason required) or delegate it."""
    record = load_task(kind, task_id)
    delegate = request.form.get("mode") == "delegate"
    errors: dict = {}
    target = optional_int(request.form.get("assignee_id"), errors, "assignee_id")
    try:
        if errors:
            raise TaskError("Переназначение заполнено с ошибками", errors)
        reassign(
            db.session, record, current_user, target, request.form.get("reason"), now(), delegate=delegate
        )
        db.session.commit()
    except TaskConflict as exc:
        return _fail(exc, kind, task_id, 409)
    except TaskError as exc:
        return _fail(exc, kind, task_id, 422)
    flash("Задача делегирована" if delegate else "Задача переназначена", "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<kind>/<int:task_id>/comments")
def comment_task(kind: str, task_id: int):
    """Add a comment; @login mentions notify colleagues."""
    record = load_task(kind, task_id)
    object_type = "human_task" if kind == "process" else "task"
    try:
        add_comment(
            db.session,
            object_type,
            record.id,
            current_user,
            request.form.get("body", ""),
            now(),
            title=record.title,
        )
        db.session.commit()
    except CommentError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        from web.inbox.task_views import render_any

        return render_any(kind, task_id, 422, typed=dict(request.form), action_errors=exc.fields)
    flash("Комментарий добавлен", "success")
    return _back(kind, task_id)
