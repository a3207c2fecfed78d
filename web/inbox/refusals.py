"""Refused inbox actions: the unit of work has rolled back; the page the form came from says why.

The views let ``TaskError`` (422), ``TaskConflict`` (409) and ``CommentError`` (422) rise out
of the service. The request's unit of work rolls back first (a conflict found while flushing
leaves the session unusable until then), and this handler draws the answer from what is
stored: the page a view marked with ``refusal_page``, or else the page of the task the action
was on, with what was typed and the messages per field. A conflict on a task the user may
not see (a queue task a colleague claimed first) is a plain 409 answer.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, request
from flask_login import current_user

from models.platform.db import db
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied
from models.tasks.adhoc import TaskConflict, TaskError
from models.tasks.comments import CommentError
from models.tasks.pages import task_page
from web.errors import error_response
from web.inbox import bp
from web.inbox.common import REFUSAL_PAGES, Refusal
from web.inbox.process_views import load_process_page, render_process
from web.inbox.task_views import render_task


def _task_page(kind: str, task_id: int) -> Callable[..., tuple[str, int]]:
    """Draws the task's page as the user sees it (loading it checks that they may see it)."""
    if kind == "process":
        process_page = load_process_page(task_id)
        return lambda status, **extra: render_process(process_page, {}, {}, status, **extra)
    adhoc_page = task_page(db.session, current_user, task_id)
    return lambda status, **extra: render_task(adhoc_page, status, **extra)


def _task_page_again(exc: Refusal, status: int):
    """The page of the task in the URL, with the action's form as typed and its messages."""
    args = request.view_args or {}
    code = "conflict" if status == 409 else "validation"
    try:
        draw = _task_page(args.get("kind", "adhoc"), args["task_id"])
    except (AccessDenied, NotFound, KeyError):
        return error_response(status, exc.message, code)
    flash(exc.message, "warning" if status == 409 else "danger")
    return draw(status, typed=request.form.to_dict(), action_errors=exc.fields)


@bp.errorhandler(TaskError)
@bp.errorhandler(CommentError)
def _refused(exc: Refusal):
    """Answer a refused inbox action (409 for a conflict, 422 for bad input)."""
    status = 409 if isinstance(exc, TaskConflict) else 422
    return REFUSAL_PAGES.get(request.endpoint or "", _task_page_again)(exc, status)
