"""Admin pages for employees; every rule lives in ``models.identity.service``."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from models.identity.service import (
    UserError,
    add_absence,
    all_users,
    create_user,
    department_by_code,
    set_manager_and_deputy,
)
from models.identity.users import Absence, User
from models.platform.db import db
from models.platform.permissions import Permission, require
from models.platform.roles import DEPARTMENTS, ROLE_LABELS
from web.admin import bp


@bp.before_request
def _only_admins():
    require(current_user, Permission.MANAGE_USERS)


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


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
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return (
            render_template("admin/users.html", users=all_users(db.session), roles=ROLE_LABELS,
                            departments=DEPARTMENTS, form=form),
            422,
        )
    flash(f"Сотрудник «{user.login}» создан", "success")
    return redirect(url_for("admin.edit", user_id=user.id))


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users/<int:user_id>")
def edit(user_id: int):
    """One employee's card: role, department, manager, deputy, absences."""
    return render_template(
        "admin/user.html", user=_get_user(user_id), users=all_users(db.session),
        roles=ROLE_LABELS, departments=DEPARTMENTS,
    )


@bp.post("/users/<int:user_id>")
def update(user_id: int):
    """Save role, department, manager, deputy and the active flag."""
    user = _get_user(user_id)
    form = request.form
    try:
        if form.get("role") not in {r.value for r in ROLE_LABELS}:
            raise UserError("Выберите роль из списка")
        user.role = form["role"]
        user.full_name = (form.get("full_name") or user.full_name).strip()
        user.email = (form.get("email") or "").strip().lower() or None
        user.department = department_by_code(db.session, form.get("department", ""))
        set_manager_and_deputy(
            db.session, user, _optional_int(form.get("manager_id")),
            _optional_int(form.get("deputy_id")),
        )
        if user.id == current_user.id and not form.get("is_active"):
            raise UserError("Нельзя заблокировать самого себя")
        user.is_active = bool(form.get("is_active"))
        if form.get("password"):
            user.set_password(form["password"])
        db.session.commit()
    except UserError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("admin.edit", user_id=user_id)), 303
    flash("Изменения сохранены", "success")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.post("/users/<int:user_id>/absences")
def absence(user_id: int):
    """Record a period when the employee's work goes to their deputy."""
    user = _get_user(user_id)
    try:
        starts = date.fromisoformat(request.form.get("starts_on", ""))
        ends = date.fromisoformat(request.form.get("ends_on", ""))
        add_absence(db.session, user, starts, ends, request.form.get("reason", ""))
        db.session.commit()
        flash("Отсутствие добавлено", "success")
    except ValueError as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, UserError) else "Укажите даты в формате ГГГГ-ММ-ДД"
        flash(message, "danger")
    return redirect(url_for("admin.edit", user_id=user_id))


@bp.post("/users/<int:user_id>/absences/<int:absence_id>/delete")
def delete_absence(user_id: int, absence_id: int):
    """Remove an absence period."""
    row = db.session.get(Absence, absence_id)
    if row is None or row.user_id != user_id:
        abort(404)
    db.session.delete(row)
    db.session.commit()
    flash("Отсутствие удалено", "info")
    return redirect(url_for("admin.edit", user_id=user_id))
