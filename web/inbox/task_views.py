"""Ad-hoc tasks (create, show, change status) and task templates (create, apply to many records)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from models.clients.cards import Client
from models.platform.audit import AuditLog
from models.platform.db import db
from models.platform.permissions import can_access, scoped
from models.platform.roles import DEPARTMENTS
from models.tasks.actions import change_status, history
from models.tasks.adhoc import (
    BUSINESS_TYPES,
    PRIORITY_LABELS,
    STATUS_LABELS,
    Task,
    TaskConflict,
    TaskError,
    TaskInput,
    TaskState,
    create_task,
)
from models.tasks.comments import comments_for
from models.tasks.templates import TaskTemplate, all_templates, apply_template, create_template
from web.inbox import bp
from web.inbox.common import colleagues, grace, load_task, now, optional_int, parse_local, to_local_input


def _clients() -> list[Client]:
    stmt = scoped(current_user, Client, select(Client).order_by(Client.full_name)).limit(500)
    return list(db.session.scalars(stmt))


def _new_form(typed: dict, errors: dict, status: int = 200):
    return render_template(
        "inbox/task_new.html",
        typed=typed,
        errors=errors,
        users=colleagues(),
        departments=DEPARTMENTS,
        priorities=PRIORITY_LABELS,
        business_types=BUSINESS_TYPES,
        clients=_clients(),
    ), status


@bp.get("/tasks/new")
def new_task():
    """The form for a new task (for me, a colleague or a department)."""
    typed = {"assignee_id": str(current_user.id), "priority": "2", **request.args.to_dict()}
    return _new_form(typed, {})


def _task_input(form) -> TaskInput:
    errors: dict[str, list[str]] = {}
    priority = optional_int(form.get("priority"), errors, "priority") or 2
    return TaskInput(
        title=form.get("title", ""),
        description=form.get("description"),
        assignee_id=optional_int(form.get("assignee_id"), errors, "assignee_id"),
        department=form.get("department") or None,
        business_type=form.get("business_type") or None,
        business_id=optional_int(form.get("business_id"), errors, "business_id"),
        due_at=parse_local(form.get("due_at"), errors, "due_at"),
        remind_at=parse_local(form.get("remind_at"), errors, "remind_at"),
        priority=priority,
        errors=errors,
    )


@bp.post("/tasks")
def create():
    """Create an ad-hoc task; errors come back (422) with what was typed."""
    try:
        task = create_task(db.session, _task_input(request.form), current_user, now(), grace())
        db.session.commit()
    except TaskError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _new_form(request.form.to_dict(), exc.fields, 422)
    flash(f"Задача «{task.title}» создана", "success")
    return redirect(url_for("inbox.task", task_id=task.id))


def render_task(
    task: Task, status: int = 200, *, typed: dict | None = None, action_errors: dict | None = None
):
    changes = db.session.scalars(
        select(AuditLog)
        .where(
            AuditLog.entity_type == "task",
            AuditLog.entity_id == str(task.id),
            AuditLog.action == "update",
            AuditLog.field.notin_(("version", "updated_at", "next_alert_at")),
        )
        .order_by(AuditLog.id)
    ).all()
    return render_template(
        "inbox/task.html",
        task=task,
        comments=comments_for(db.session, "task", task.id),
        history=history(db.session, task),
        changes=changes,
        users=colleagues(),
        statuses=STATUS_LABELS,
        priorities=PRIORITY_LABELS,
        departments=DEPARTMENTS,
        business_types=BUSINESS_TYPES,
        client=db.session.get(Client, task.business_id) if task.business_type == "client" else None,
        can={
            a: can_access(current_user, task, a) for a in ("complete", "claim", "release", "reassign", "edit")
        },
        typed=typed or {},
        action_errors=action_errors or {},
        local_input=to_local_input,
        now=now(),
    ), status


def render_any(kind: str, task_id: int, status: int, **kwargs):
    """The page of either kind of task, with a status code (used after refused actions)."""
    record = load_task(kind, task_id)
    if kind == "process":
        from web.inbox.process_views import render_process

        return render_process(record, {}, {}, status, **kwargs)
    return render_task(record, status, **kwargs)


@bp.get("/tasks/<int:task_id>")
def task(task_id: int):
    """One ad-hoc task: details, status, assignment history, field history and comments."""
    return render_task(load_task("adhoc", task_id))


@bp.post("/tasks/<int:task_id>/status")
def task_status(task_id: int):
    """Start, finish or cancel a task."""
    record = load_task("adhoc", task_id)
    status = request.form.get("status", "")
    try:
        change_status(db.session, record, status, current_user, now(), grace())
        db.session.commit()
    except TaskConflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
        return render_any("adhoc", task_id, 409)
    except TaskError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return render_any("adhoc", task_id, 422, action_errors=exc.fields)
    flash(f"Статус: {STATUS_LABELS[status]}", "success")
    if status == TaskState.DONE:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("inbox.task", task_id=task_id))


def _templates_page(typed: dict, errors: dict, status: int = 200):
    return render_template(
        "inbox/templates.html",
        templates=all_templates(db.session),
        typed=typed,
        errors=errors,
        priorities=PRIORITY_LABELS,
        clients=_clients(),
        users=colleagues(),
        departments=DEPARTMENTS,
    ), status


@bp.get("/templates")
def templates():
    """Task templates and the form to create tasks from one for many clients."""
    return _templates_page({}, {})


@bp.post("/templates")
def create_template_view():
    """Save a new template."""
    form = request.form
    errors: dict = {}
    try:
        create_template(
            db.session,
            current_user,
            name=form.get("name", ""),
            title=form.get("title", ""),
            description=form.get("description"),
            business_type=form.get("business_type", "client"),
            due_in_days=optional_int(form.get("due_in_days"), errors, "due_in_days"),
            remind_before_hours=optional_int(form.get("remind_before_hours"), errors, "remind_before_hours"),
            priority=optional_int(form.get("priority"), errors, "priority") or 0,
            now=now(),
        )
        db.session.commit()
    except TaskError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _templates_page(form.to_dict(), {**errors, **exc.fields}, 422)
    flash("Шаблон сохранён", "success")
    return redirect(url_for("inbox.templates"))


@bp.post("/templates/<int:template_id>/apply")
def apply_template_view(template_id: int):
    """Create one task per chosen client (or deal number), all or nothing."""
    template = db.session.get(TaskTemplate, template_id)
    if template is None:
        abort(404)
    form = request.form
    ids = [int(v) for v in form.getlist("record_ids") if v.isdigit()]
    ids += [int(v) for v in form.get("record_list", "").replace(",", " ").split() if v.isdigit()]
    try:
        created = apply_template(
            db.session,
            template,
            ids,
            current_user,
            now(),
            grace(),
            assignee_id=optional_int(form.get("assignee_id")),
            department=form.get("department") or None,
            assign=form.get("assign"),
        )
        db.session.commit()
    except TaskError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return _templates_page(form.to_dict(), exc.fields, 422)
    flash(f"Создано задач: {len(created)}", "success")
    return redirect(url_for("inbox.index"))
