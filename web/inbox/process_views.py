"""The page of a process task: instructions, the form from its JSON Schema, the context panel.

Submitting validates on the server (conversion here, the schema in ``engine.forms``); on
errors the page comes back with 422, Russian messages and what was typed, and nothing is
stored. On success the process moves on and the person is told what happens next.
"""

from __future__ import annotations

import shutil

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.errors import ConflictError, FormValidationError, NotFound
from engine.forms import validate
from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import db
from models.platform.permissions import can_access, scoped
from models.platform.roles import DEPARTMENTS, ROLE_LABELS, Role
from models.tasks.actions import history
from models.tasks.comments import comments_for
from models.tasks.inbox import earlier_steps, next_steps
from web.engine_support import process_engine
from web.inbox import bp
from web.inbox.common import colleagues, load_task
from web.inbox.form_fields import build_fields, parse_form, upload_saver
from web.inbox.markup import render_instructions


def _forms(row: HumanTask) -> tuple[dict, dict]:
    return process_engine().task_form(row)


def _picker_clients(fields: list) -> list[Client]:
    if not any(f.widget == "client" for f in fields):
        return []
    stmt = scoped(current_user, Client, select(Client).order_by(Client.full_name)).limit(500)
    return list(db.session.scalars(stmt))


def _step_titles(row: HumanTask) -> dict[str, str]:
    try:
        schema, _ = _forms(row)
    except NotFound:
        return {}
    return {k: v.get("title", k) for k, v in schema.get("properties", {}).items()}


def _context(row: HumanTask, data: dict) -> dict:
    client = None
    client_id = row.business_id if row.business_type == "client" else data.get("client_id")
    if isinstance(client_id, int):
        candidate = db.session.get(Client, client_id)
        client = candidate if candidate is not None and can_access(current_user, candidate) else None
    steps = [(step, _step_titles(step)) for step in earlier_steps(db.session, row.instance_id, row.id)]
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
):
    schema, ui = _forms(row)
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
        picker_clients=_picker_clients(fields),
        **_context(row, data),
    ), status


@bp.get("/process/<int:task_id>")
def process_task(task_id: int):
    """One process task with its form and context."""
    return render_process(load_task("process", task_id), {}, {})


def _next_message(row: HumanTask) -> tuple[str, HumanTask | None]:
    upcoming = next_steps(db.session, row.instance_id, row.id)
    if not upcoming:
        done = row.instance.status == "completed"
        return (
            "Задача выполнена. Процесс завершён."
            if done
            else "Задача выполнена. Процесс продолжится автоматически."
        ), None
    parts = []
    for step in upcoming:
        if step.assignee_id == current_user.id:
            who = "вам"
        elif step.assignee_id:
            who = db.session.get(User, step.assignee_id).full_name
        elif step.candidate_role:
            who = f"в очередь роли «{ROLE_LABELS.get(Role(step.candidate_role), step.candidate_role)}»"
        else:
            who = (
                f"в очередь отдела «{DEPARTMENTS.get(step.candidate_department, step.candidate_department)}»"
            )
        parts.append(f"«{step.title}» — {who}")
    mine = next((s for s in upcoming if s.assignee_id == current_user.id), None)
    return "Задача выполнена. Следующий шаг: " + "; ".join(parts) + ".", mine


@bp.post("/process/<int:task_id>")
def complete_process_task(task_id: int):
    """Validate the form and complete the task; errors keep what was typed."""
    row = load_task("process", task_id, "complete")
    schema, ui = _forms(row)
    settings = current_app.extensions["crm.settings"]
    saved: list[str] = []
    saver = upload_saver(settings.instance_dir / "uploads")

    def save(upload):
        saved.append(saver(upload))
        return saved[-1]

    submission = parse_form(
        schema, ui, request.form, request.files, save, lambda cid: db.session.get(Client, cid) is not None
    )
    try:
        if submission.errors:  # report the schema's complaints about the other fields too
            raise FormValidationError({**validate(schema, submission.data), **submission.errors})
        process_engine().complete_task(row.id, submission.data, current_user.id)
        db.session.commit()
    except FormValidationError as exc:
        db.session.rollback()
        for path in saved:  # nothing half-written: drop files of a refused submission
            shutil.rmtree(settings.instance_dir / path.rsplit("/", 1)[0], ignore_errors=True)
        flash("Форма заполнена с ошибками — исправьте отмеченные поля", "danger")
        return render_process(row, submission.typed, {**exc.errors, **submission.errors}, 422)
    except ConflictError as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return render_process(db.session.get(HumanTask, task_id), submission.typed, {}, 409)
    message, mine = _next_message(row)
    flash(message, "success")
    if mine is not None:
        return redirect(url_for("inbox.process_task", task_id=mine.id))
    return redirect(url_for("inbox.index"))
