"""Creating and changing employees with the company's rules checked in one place.

Used by the admin pages, the CLI and demo data, so a user made any way obeys the same
rules: unique login, known role and department, no self-reporting, sane absences.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.users import Absence, Department, User, ensure_departments, find_user
from models.platform.roles import DEPARTMENTS, parse_role

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class UserError(ValueError):
    """A rule about users was broken; the message is Russian and shown as is."""


def department_by_code(session: Session, code: str) -> Department:
    if code not in DEPARTMENTS:
        names = ", ".join(DEPARTMENTS)
        raise UserError(f"Неизвестный отдел «{code}». Допустимые: {names}")
    return ensure_departments(session)[code]


def create_user(
    session: Session,
    *,
    login: str,
    role: str,
    department: str,
    password: str,
    full_name: str | None = None,
    email: str | None = None,
    manager_login: str | None = None,
) -> User:
    """Add a new employee; raises ``UserError`` naming the broken rule."""
    login = (login or "").strip().lower()
    if not LOGIN_RE.match(login):
        raise UserError("Логин: 2–80 символов, латинские буквы, цифры, точка, дефис, подчёркивание")
    if find_user(session, login):
        raise UserError(f"Пользователь «{login}» уже существует")
    try:
        role_value = parse_role(role).value
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if len(password) < 4:
        raise UserError("Пароль должен быть не короче 4 символов")
    user = User(
        login=login,
        full_name=(full_name or login).strip(),
        email=(email or "").strip().lower() or None,
        role=role_value,
        department=department_by_code(session, department),
        is_active=True,
    )
    user.set_password(password)
    if manager_login:
        user.manager = _existing(session, manager_login, "Руководитель")
    session.add(user)
    session.flush()
    return user


def _existing(session: Session, login: str, what: str) -> User:
    user = find_user(session, login.strip().lower())
    if user is None:
        raise UserError(f"{what} «{login}» не найден")
    return user


def set_manager_and_deputy(
    session: Session, user: User, manager_id: int | None, deputy_id: int | None
) -> None:
    """Set who the user reports to and who stands in for them, refusing self-references."""
    if manager_id == user.id:
        raise UserError("Сотрудник не может быть руководителем самому себе")
    if deputy_id == user.id:
        raise UserError("Сотрудник не может быть заместителем самому себе")
    for uid in (manager_id, deputy_id):
        if uid is not None and session.get(User, uid) is None:
            raise UserError("Выбранный сотрудник не найден")
    user.manager_id = manager_id
    user.deputy_id = deputy_id


def add_absence(session: Session, user: User, starts_on: date, ends_on: date, reason: str) -> Absence:
    if ends_on < starts_on:
        raise UserError("Дата окончания отсутствия раньше даты начала")
    absence = Absence(user=user, starts_on=starts_on, ends_on=ends_on, reason=reason or "Отпуск")
    session.add(absence)
    session.flush()
    return absence


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.full_name)))


def active_users(session: Session) -> list[User]:
    """Employees who can still work, by name (owner choices and filters of lists)."""
    return list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.full_name)))
