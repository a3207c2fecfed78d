"""Admin pages for employees; every rule lives in ``models.identity.service``."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.identity.service import (
    UserChanges,
    UserError,
    all_users,
    create_user,
    employee_card,
    record_absence,
    remove_absence,
    update_user,
)
from models.platform.db import db
from models.platform.ids import parse_int
from models.platform.permissions import Permission, require
from models.platform.roles import DEPARTMENTS, ROLE_LABELS
from web.admin import bp


@bp.before_request
def _only_admins():
    require(current_user, Permission.MANAGE_USERS)


def _optional_int(value: str | None) -> int | None:
    return parse_int(value)


def _optional_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@bp.get("/users")
def users():
    """All employees with role, department, manager and deputy."""
    return render_template(
        "admin/users.html", users=all_users(db.session), roles=ROLE_LABELS, departments=DEPARTMENTS
    )


@bp.post("/users")
def create():
    """Add an employee from the form; errors come back with what was typed."""
    form = request.form
    try:
        user = create_user(
            db.session,
            login=form.get("login", ""),
            full_name=form.get("full_name"),
            email=form.get("email"),
            role=form.get("role", ""),
            department=form.get("department", ""),
            password=form.get("password", ""),
        )
    except UserError as exc:
        flash(str(exc), "danger")
        return (
            render_template("admin/users.html", users=all_users(db.session), roles=ROLE_LABELS,
                            departments=DEPARTMENTS, form=form),
            422,
        )
    flash(f"Сотрудник «{user.login}» создан", "success")
    return redirect(url_for("admin.edit", user_id=user.id))


@bp.get("/users/<int:user_id>")
def edit(user_id: int):
    """One employee's card: role, department, manager, deputy, absences."""
    card = employee_card(db.session, user_id)
    return render_template(
        "admin/user.html", user=card.user, users=card.users, roles=ROLE_LABELS, departments=DEPARTMENTS,
    )


@bp.post("/users/<int:user_id>")
def update(user_id: int):
    """Save role, department, manager, deputy and the active flag."""
    form = request.form
    standing = {name: _optional_date(form.get(name)) for name in ("standing_from", "standing_until")}
    if any(form.get(name, "").strip() and value is None for name, value in standing.items()):
        flash("Не удалось прочитать даты постоянного замещения", "danger")
        return redirect(url_for("admin.edit", user_id=user_id)), 303
    changes = UserChanges(
        role=form.get("role", ""),
        department=form.get("department", ""),
        full_name=form.get("full_name"),
        email=form.get("email"),
        manager_id=_optional_int(form.get("manager_id")),
        deputy_id=_optional_int(form.get("deputy_id")),
        is_active=bool(form.get("is_active")),
        password=form.get("password") or None,
        **standing,
    )
    try:
        update_user(db.session, current_user, user_id, changes)
    except UserError as exc:
        # The service checks everything before changing anything, so this redirect stores nothing.
        flash(str(exc), "danger")
        return redirect(url_for("admin.edit", user_id=user_id)), 303
    flash("Изменения сохранены", "success")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.post("/users/<int:user_id>/absences")
def absence(user_id: int):
    """Record a period when the employee's work goes to their deputy."""
    try:
        record_absence(db.session, user_id, _optional_date(request.form.get("starts_on")),
                       _optional_date(request.form.get("ends_on")), request.form.get("reason", ""))
    except UserError as exc:
        flash(str(exc), "danger")
    else:
        flash("Отсутствие добавлено", "success")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.post("/users/<int:user_id>/absences/<int:absence_id>/delete")
def delete_absence(user_id: int, absence_id: int):
    """Remove an absence period."""
    remove_absence(db.session, user_id, absence_id)
    flash("Отсутствие удалено", "info")
    return redirect(url_for("admin.edit", user_id=user_id))
