"""The page of a process task: instructions, the form from its JSON Schema, the context panel.

What the page shows comes from one call, ``models.tasks.pages.process_task_page``; the form
is drawn and parsed by ``web.forms`` and completed by ``models.tasks.process_tasks`` (the
same service the lead card and the API use). On errors the page comes back with 422, Russian
messages and what was typed, and nothing is stored; a task someone else completed first
answers 409 with the task page. On success the person is told what happens next and taken
to their next task, if there is one.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.errors import ConflictError
from models.platform.db import db
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied
from models.platform.roles import DEPARTMENTS, ROLE_LABELS, Role
from models.tasks.pages import EarlierStep, ProcessTaskPage, process_task_page
from models.tasks.service import get_task
from web.engine_support import process_engine
from web.errors import error_response
from web.forms import FormField, build_fields, render_instructions
from web.forms.page import FormRefused, picker_clients, submit_task_form
from web.inbox import bp


def _step_fields(step: EarlierStep) -> list[FormField]:
    """What an earlier step recorded, with its form's titles and option labels."""
    data = step.task.completed_data or {}
    props = step.schema.get("properties", {})
    known = [f for f in build_fields(step.schema, step.ui, data, {}) if f.name in data]
    extra = [FormField(name=k, title=k, widget="text", value=v) for k, v in data.items() if k not in props]
    return known + extra


def load_process_page(task_id: int) -> ProcessTaskPage:
    """Everything the page of process task ``task_id`` shows, as the current user sees it."""
    return process_task_page(db.session, process_engine(), current_user, task_id)


def render_process(
    page: ProcessTaskPage,
    values: dict,
    errors: dict,
    status: int = 200,
    *,
    typed: dict | None = None,
    action_errors: dict | None = None,
) -> tuple[str, int]:
    """The task page with ``values`` over the task's data and ``errors`` per field, answered as ``status``."""
    row, data = page.row, page.data
    shown = {**{k: v for k, v in data.items() if k in page.schema.get("properties", {})}, **values}
    fields = build_fields(page.schema, page.ui, shown, errors)
    return render_template(
        "inbox/process_task.html",
        row=row,
        fields=fields,
        errors=errors,
        data=data,
        instructions=render_instructions(row.instructions, data),
        queue=ROLE_LABELS.get(Role(row.candidate_role)) if row.candidate_role else None,
        department=DEPARTMENTS.get(row.candidate_department or ""),
        users=page.users,
        can=page.can,
        assignee=page.assignee,
        original=page.original,
        typed=typed or {},
        action_errors=action_errors or {},
        picker_clients=picker_clients(fields),
        client=page.client,
        steps=[(step.task, _step_fields(step)) for step in page.steps],
        comments=page.comments,
        history=page.history,
        panel=page.panel,
    ), status


@bp.get("/process/<int:task_id>")
def process_task(task_id: int):
    """One process task with its form and context."""
    return render_process(load_process_page(task_id), {}, {})


@bp.post("/process/<int:task_id>")
def complete_process_task(task_id: int):
    """Validate the form and complete the task; errors keep what was typed."""
    row = get_task(db.session, current_user, "process", task_id, "complete")  # before anything is uploaded
    try:
        done = submit_task_form(row)
    except FormRefused as refused:
        flash("Форма заполнена с ошибками — исправьте отмеченные поля", "danger")
        return render_process(load_process_page(task_id), refused.typed, refused.errors, 422)
    flash(done.message, "success")
    if done.mine is not None:
        return redirect(url_for("inbox.process_task", task_id=done.mine.id))
    return redirect(url_for("inbox.index"))


@bp.errorhandler(ConflictError)
def _conflict(exc: ConflictError):
    """Someone was faster: the unit of work has rolled back; show the task as it is now (409)."""
    task_id = (request.view_args or {}).get("task_id")
    if request.endpoint != "inbox.complete_process_task" or task_id is None:
        return error_response(409, exc.message, "conflict")
    try:
        page = load_process_page(task_id)
    except (AccessDenied, NotFound):  # completed by someone else and no longer the user's to see
        return error_response(409, exc.message, "conflict")
    flash(exc.message, "warning")
    return render_process(page, dict(request.form), {}, 409)
