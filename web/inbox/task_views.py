"""Ad-hoc tasks (create, show, change status) and task templates (create, apply to many records).

Each view parses the form, calls one service of ``models.tasks`` and redirects; a refusal
(``TaskError``) is answered by ``web.inbox.refusals`` after the unit of work has rolled back,
with the page the form came from, what was typed and the Russian messages.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.platform.db import db
from models.platform.ids import parse_int
from models.platform.roles import DEPARTMENTS
from models.tasks.adhoc import (
    BUSINESS_TYPES,
    PRIORITY_LABELS,
    STATUS_LABELS,
    TaskInput,
    TaskState,
    create_task,
)
from models.tasks.pages import TaskPage, task_choices, task_page, templates_page
from models.tasks.service import apply_task_template, change_task_status
from models.tasks.templates import create_template
from web.inbox import bp
from web.inbox.common import Refusal, grace, now, optional_int, parse_local, refusal_page, to_local_input


def _new_form(typed: dict, errors: dict, status: int = 200):
    choices = task_choices(db.session, current_user, typed.get("business_type") or None,
                           parse_int(typed.get("business_id")), with_clients=False)
    return render_template(
        "inbox/task_new.html",
        typed=typed,
        errors=errors,
        users=choices.users,
        departments=DEPARTMENTS,
        priorities=PRIORITY_LABELS,
        business_types=BUSINESS_TYPES,
        link_label=typed.get("link_label") or choices.link_label,
    ), status


def _new_form_refused(exc: Refusal, status: int):
    flash(exc.message, "danger")
    return _new_form(request.form.to_dict(), exc.fields, status)


@bp.get("/tasks/new")
def new_task():
    """The form for a new task (for me, a colleague or a department)."""
    typed = {"assignee_id": str(current_user.id), "priority": "2", **request.args.to_dict()}
    return _new_form(typed, {})


def _task_input(form) -> TaskInput:
    errors: dict[str, list[str]] = {}
    priority = optional_int(form.get("priority"), errors, "priority") or 2
    typed_link = (form.get("link_label") or "").strip()
    if typed_link and not form.get("business_id"):
        # text typed into the link box but nothing picked from the suggestions: say so, never drop it
        errors["business_id"] = [f"«{typed_link}»: выберите запись из подсказок или очистите поле"]
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
@refusal_page(_new_form_refused)
def create():
    """Create an ad-hoc task; errors come back (422) with what was typed."""
    task = create_task(db.session, _task_input(request.form), current_user, now(), grace())
    flash(f"Задача «{task.title}» создана", "success")
    return redirect(url_for("inbox.task", task_id=task.id))


def render_task(page: TaskPage, status: int = 200, *, typed: dict | None = None,
                action_errors: dict | None = None):
    """The ad-hoc task's page answered as ``status`` (after a refused action: with what was typed)."""
    return render_template(
        "inbox/task.html",
        task=page.task,
        comments=page.comments,
        history=page.history,
        changes=page.changes,
        users=page.users,
        statuses=STATUS_LABELS,
        priorities=PRIORITY_LABELS,
        departments=DEPARTMENTS,
        business_types=BUSINESS_TYPES,
        client=page.client,
        can=page.can,
        typed=typed or {},
        action_errors=action_errors or {},
        local_input=to_local_input,
        now=now(),
    ), status


@bp.get("/tasks/<int:task_id>")
def task(task_id: int):
    """One ad-hoc task: details, status, assignment history, field history and comments."""
    return render_task(task_page(db.session, current_user, task_id))


@bp.post("/tasks/<int:task_id>/status")
def task_status(task_id: int):
    """Start, finish or cancel a task."""
    status = request.form.get("status", "")
    change_task_status(db.session, current_user, task_id, status, now(), grace())
    flash(f"Статус: {STATUS_LABELS[status]}", "success")
    if status == TaskState.DONE:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("inbox.task", task_id=task_id))


def _templates_page(typed: dict, errors: dict, status: int = 200):
    templates, choices = templates_page(db.session, current_user)
    return render_template(
        "inbox/templates.html",
        templates=templates,
        typed=typed,
        errors=errors,
        priorities=PRIORITY_LABELS,
        clients=choices.clients,
        users=choices.users,
        departments=DEPARTMENTS,
    ), status


def _templates_refused(exc: Refusal, status: int):
    flash(exc.message, "danger")
    return _templates_page(request.form.to_dict(), exc.fields, status)


@bp.get("/templates")
def templates():
    """Task templates and the form to create tasks from one for many clients."""
    return _templates_page({}, {})


@bp.post("/templates")
@refusal_page(_templates_refused)
def create_template_view():
    """Save a new template; what cannot be read as a number is refused with the other mistakes."""
    form = request.form
    errors: dict[str, list[str]] = {}
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
        field_errors=errors,
    )
    flash("Шаблон сохранён", "success")
    return redirect(url_for("inbox.templates"))


@bp.post("/templates/<int:template_id>/apply")
@refusal_page(_templates_refused)
def apply_template_view(template_id: int):
    """Create one task per chosen client (or deal number), all or nothing."""
    form = request.form
    ids = [i for i in map(parse_int, form.getlist("record_ids")) if i is not None]
    ids += [i for i in map(parse_int, form.get("record_list", "").replace(",", " ").split()) if i is not None]
    created = apply_task_template(
        db.session,
        current_user,
        template_id,
        ids,
        now(),
        grace(),
        assignee_id=optional_int(form.get("assignee_id")),
        department=form.get("department") or None,
        assign=form.get("assign"),
    )
    flash(f"Создано задач: {len(created)}", "success")
    return redirect(url_for("inbox.index"))
