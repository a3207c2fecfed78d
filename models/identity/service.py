"""Creating and changing employees with the company's rules checked in one place.

Used by the admin pages, the CLI and demo data, so a user made any way obeys the same
rules: unique login, known role and department, no self-reporting, sane absences.
A change is checked completely before anything is written, so a refused form leaves the
employee as they were even though the page answers with a redirect (which commits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.identity.users import Absence, Department, User, ensure_departments, find_user
from models.platform.errors import NotFound
from models.platform.roles import DEPARTMENTS, ROLE_LABELS, parse_role

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class UserError(ValueError):
    """A rule about users was broken; the message is Russian and shown as is."""


def _check_department(code: str) -> None:
    if code not in DEPARTMENTS:
        names = ", ".join(DEPARTMENTS)
        raise UserError(f"Неизвестный отдел «{code}». Допустимые: {names}")


def department_by_code(session: Session, code: str) -> Department:
    """The standard department ``code`` (created if missing); ``UserError`` for an unknown code."""
    _check_department(code)
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


def _check_manager_and_deputy(
    session: Session, user: User, manager_id: int | None, deputy_id: int | None
) -> None:
    if manager_id == user.id:
        raise UserError("Сотрудник не может быть руководителем самому себе")
    if deputy_id == user.id:
        raise UserError("Сотрудник не может быть заместителем самому себе")
    for uid in (manager_id, deputy_id):
        if uid is not None and session.get(User, uid) is None:
            raise UserError("Выбранный сотрудник не найден")


def set_manager_and_deputy(
    session: Session, user: User, manager_id: int | None, deputy_id: int | None
) -> None:
    """Set who the user reports to and who stands in for them, refusing self-references."""
    _check_manager_and_deputy(session, user, manager_id, deputy_id)
    user.manager_id = manager_id
    user.deputy_id = deputy_id


def get_user(session: Session, user_id: int) -> User:
    """The employee with ``user_id``; ``NotFound`` (404) when there is none."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Сотрудник не найден")
    return user


@dataclass(frozen=True)
class EmployeeCard:
    """An employee's admin page: the employee and everyone to choose a manager or deputy from."""

    user: User
    users: list[User]


def employee_card(session: Session, user_id: int) -> EmployeeCard:
    """What the employee's admin page shows; ``NotFound`` for an unknown id."""
    return EmployeeCard(get_user(session, user_id), all_users(session))


@dataclass(frozen=True)
class UserChanges:
    """The employee form as submitted: role and department codes, chosen ids, an optional new password."""

    role: str
    department: str
    full_name: str | None = None
    email: str | None = None
    manager_id: int | None = None
    deputy_id: int | None = None
    is_active: bool = True
    password: str | None = None
    standing_from: date | None = None  # «постоянное замещение» from / until (the end optional)
    standing_until: date | None = None


def _check_standing_delegation(changes: UserChanges) -> None:
    """A standing delegation needs a deputy, a start, and an end (if any) not before the start."""
    if changes.standing_from is None:
        if changes.standing_until is not None:
            raise UserError("Укажите начало постоянного замещения")
        return
    if changes.deputy_id is None:
        raise UserError("Для постоянного замещения выберите заместителя")
    if changes.standing_until is not None and changes.standing_until < changes.standing_from:
        raise UserError("Окончание постоянного замещения раньше начала")


def update_user(session: Session, actor: User, user_id: int, changes: UserChanges) -> User:
    """Apply the employee form to ``user_id`` as ``actor`` would; ``UserError`` names the first broken rule.

    Every rule is checked before anything changes: a refused form leaves the employee untouched.
    Nobody may block themselves (an admin locked out of the admin pages).
    """
    user = get_user(session, user_id)
    if changes.role not in {role.value for role in ROLE_LABELS}:
        raise UserError("Выберите роль из списка")
    _check_department(changes.department)
    _check_manager_and_deputy(session, user, changes.manager_id, changes.deputy_id)
    _check_standing_delegation(changes)
    if user.id == actor.id and not changes.is_active:
        raise UserError("Нельзя заблокировать самого себя")
    user.role = changes.role
    user.full_name = (changes.full_name or user.full_name).strip()
    user.email = (changes.email or "").strip().lower() or None
    user.department = department_by_code(session, changes.department)
    user.manager_id, user.deputy_id = changes.manager_id, changes.deputy_id
    user.standing_delegation_from = changes.standing_from
    user.standing_delegation_until = changes.standing_until
    user.is_active = changes.is_active
    if changes.password:
        user.set_password(changes.password)
    return user


def add_absence(session: Session, user: User, starts_on: date, ends_on: date, reason: str) -> Absence:
    """Record a period when ``user``'s work goes to their deputy; the end may not precede the start."""
    if ends_on < starts_on:
        raise UserError("Дата окончания отсутствия раньше даты начала")
    absence = Absence(user=user, starts_on=starts_on, ends_on=ends_on, reason=reason or "Отпуск")
    session.add(absence)
    session.flush()
    return absence


def record_absence(session: Session, user_id: int, starts_on: date | None, ends_on: date | None,
                   reason: str) -> Absence:
    """``add_absence`` for the employee ``user_id`` (``NotFound``); a date the form lacked is refused."""
    user = get_user(session, user_id)
    if starts_on is None or ends_on is None:
        raise UserError("Укажите даты в формате ГГГГ-ММ-ДД")
    return add_absence(session, user, starts_on, ends_on, reason)


def remove_absence(session: Session, user_id: int, absence_id: int) -> None:
    """Remove an absence of ``user_id``; another employee's absence is not found."""
    absence = session.get(Absence, absence_id)
    if absence is None or absence.user_id != user_id:
        raise NotFound("Отсутствие не найдено")
    session.delete(absence)


def all_users(session: Session) -> list[User]:
    """Every employee, active or not, by name (the admin list and manager/deputy choices)."""
    return list(session.scalars(select(User).order_by(User.full_name)))


class Colleague(NamedTuple):
    """An employee as a select box offers them: all that the owner and assignee choices read.

    The client list, the task forms and the studio show every active employee on each page;
    loaded as ``User`` entities 51 of them cost 1.5 ms of CPU per page (identity map, relations'
    bookkeeping), read as these tuples 0.5 ms. A page that changes an employee loads the entity.
    """

    id: int
    full_name: str
    department_id: int | None
    is_active: bool = True


@cache
def _active_colleagues() -> Select:
    """The statement, built once: the pages that run it run it on every view."""
    return (select(User.id, User.full_name, User.department_id)
            .where(User.is_active.is_(True)).order_by(User.full_name))


def active_users(session: Session) -> list[Colleague]:
    """Employees who can still work, by name (owner choices and filters of lists)."""
    return [Colleague(*row) for row in session.execute(_active_colleagues())]
