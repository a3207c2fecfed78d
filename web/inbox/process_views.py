"""The page of a process task: instructions, the form from its JSON Schema, the context panel.

The form is drawn and parsed by ``web.forms`` and completed by
``models.tasks.process_tasks`` (the same service the lead card and the API use). On errors
the page comes back with 422, Russian messages and what was typed, and nothing is stored;
a task someone else completed first answers 409 with the task page. On success the person
is told what happens next and taken to their next task, if there is one.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.errors import ConflictError, NotFound
from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import db
from models.platform.permissions import can_access
from models.platform.roles import DEPARTMENTS, ROLE_LABELS, Role
from models.tasks.actions import history
from models.tasks.comments import comments_for
from models.tasks.inbox import earlier_steps
from web.engine_support import process_engine
from web.errors import error_response
from web.forms import FormField, build_fields, render_instructions
from web.forms.page import FormRefused, picker_clients, submit_task_form, task_form
from web.inbox import bp
from web.inbox.common import colleagues, load_task


def _step_fields(row: HumanTask) -> list[FormField]:
    """What an earlier step recorded, with its form's titles and option labels."""
    data = row.completed_data or {}
    try:
        schema, ui = task_form(row)
    except NotFound:
        schema, ui = {"properties": {}}, {}
    props = schema.get("properties", {})
    known = [f for f in build_fields(schema, ui, data, {}) if f.name in data]
    extra = [FormField(name=k, title=k, widget="text", value=v) for k, v in data.items() if k not in props]
    return known + extra


def _context(row: HumanTask, data: dict) -> dict:
    client = None
    client_id = row.business_id if row.business_type == "client" else data.get("client_id")
    if isinstance(client_id, int):
        candidate = db.session.get(Client, client_id)
        client = candidate if candidate is not None and can_access(current_user, candidate) else None
    steps = [(step, _step_fields(step)) for step in earlier_steps(db.session, row.instance_id, row.id)]
    return {
        "client": client,
        "steps": steps,
        "comments": comments_for(db.session, "human_task", row.id),
        "history": history(db.session, row),
    }


def render_process(
    row: HumanTask,
    values: dict,
    errors: dict,
    status: int = 200,
    *,
    typed: dict | None = None,
    action_errors: dict | None = None,
) -> tuple[str, int]:
    """The task page with ``values`` over the task's data and ``errors`` per field, answered as ``status``."""
    schema, ui = task_form(row)
    data = process_engine().task_data(row) if row.status == TaskStatus.OPEN else (row.completed_data or {})
    shown = {**{k: v for k, v in data.items() if k in schema.get("properties", {})}, **values}
    fields = build_fields(schema, ui, shown, errors)
    queue = ROLE_LABELS.get(Role(row.candidate_role)) if row.candidate_role else None
    return render_template(
        "inbox/process_task.html",
        row=row,
        fields=fields,
        errors=errors,
        data=data,
        instructions=render_instructions(row.instructions, data),
        queue=queue,
        department=DEPARTMENTS.get(row.candidate_department or ""),
        users=colleagues(),
        can={a: can_access(current_user, row, a) for a in ("complete", "claim", "release", "reassign")},
        assignee=db.session.get(User, row.assignee_id) if row.assignee_id else None,
        original=db.session.get(User, row.original_assignee_id) if row.original_assignee_id else None,
        typed=typed or {},
        action_errors=action_errors or {},
        picker_clients=picker_clients(fields),
        **_context(row, data),
    ), status


@bp.get("/process/<int:task_id>")
def process_task(task_id: int):
    """One process task with its form and context."""
    return render_process(load_task("process", task_id), {}, {})


@bp.post("/process/<int:task_id>")
def complete_process_task(task_id: int):
    """Validate the form and complete the task; errors keep what was typed."""
    row = load_task("process", task_id, "complete")  # before anything is parsed or uploaded
    try:
        done = submit_task_form(row)
    except FormRefused as refused:
        flash("Форма заполнена с ошибками — исправьте отмеченные поля", "danger")
        return render_process(row, refused.typed, refused.errors, 422)
    flash(done.message, "success")
    if done.mine is not None:
        return redirect(url_for("inbox.process_task", task_id=done.mine.id))
    return redirect(url_for("inbox.index"))


@bp.errorhandler(ConflictError)
def _conflict(exc: ConflictError):
    """Someone was faster: the unit of work has rolled back; show the task as it is now (409)."""
    task_id = (request.view_args or {}).get("task_id")
    row = db.session.get(HumanTask, task_id) if request.endpoint == "inbox.complete_process_task" else None
    if row is None:
        return error_response(409, exc.message, "conflict")
    flash(exc.message, "warning")
    return render_process(row, dict(request.form), {}, 409)
