"""Claim, release, reassign, delegate and comment: the same forms for process and ad-hoc tasks.

Each view calls one function of ``models.tasks.service``; a refusal (``TaskError`` 422,
``TaskConflict`` 409, ``CommentError`` 422) is answered by ``web.inbox.refusals`` with the
task's page after the unit of work has rolled back, so nothing of the action is kept.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.tasks import service
from web.inbox import bp
from web.inbox.common import now, optional_int


def _back(kind: str, task_id: int):
    endpoint = "inbox.process_task" if kind == "process" else "inbox.task"
    return redirect(url_for(endpoint, task_id=task_id))


@bp.post("/<kind>/<int:task_id>/claim")
def claim_task(kind: str, task_id: int):
    """Take a task from my role's or department's queue (409 when a colleague was faster)."""
    service.claim_task(db.session, current_user, kind, task_id, now())
    flash("Задача взята в работу", "success")
    return _back(kind, task_id)


@bp.post("/<kind>/<int:task_id>/release")
def release_task(kind: str, task_id: int):
    """Put a claimed task back into its queue."""
    service.release_task(db.session, current_user, kind, task_id, now())
    flash("Задача возвращена в очередь", "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<kind>/<int:task_id>/reassign")
def reassign_task(kind: str, task_id: int):
    """Give the task to a colleague (reason required) or delegate it."""
    delegate = request.form.get("mode") == "delegate"
    errors: dict[str, list[str]] = {}
    target = optional_int(request.form.get("assignee_id"), errors, "assignee_id")
    service.reassign_task(db.session, current_user, kind, task_id, target, request.form.get("reason"),
                          now(), delegate=delegate, field_errors=errors)
    flash("Задача делегирована" if delegate else "Задача переназначена", "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<kind>/<int:task_id>/comments")
def comment_task(kind: str, task_id: int):
    """Add a comment; @login mentions notify colleagues."""
    service.comment_on_task(db.session, current_user, kind, task_id, request.form.get("body", ""), now())
    flash("Комментарий добавлен", "success")
    return _back(kind, task_id)
