"""``crm user``: create and list employees, issue API tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from models.identity.service import UserError, all_users, create_user
from models.identity.users import find_user, issue_api_token
from models.platform.db import db
from web.cli import CliError, emit, in_unit_of_work


@click.group("user")
def user_group() -> None:
    """Сотрудники."""


@user_group.command("create")
@click.option("--login", required=True)
@click.option("--role", required=True)
@click.option("--department", required=True, help="sales, deal_support, underwriting, legal, management")
@click.option("--name", "full_name", default=None, help="ФИО")
@click.option("--email", default=None)
@click.option("--manager", "manager_login", default=None, help="логин руководителя")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def create(login, role, department, full_name, email, manager_login, password, as_json) -> None:
    """Создать сотрудника."""
    try:
        user = create_user(db.session, login=login, role=role, department=department,
                           password=password, full_name=full_name, email=email,
                           manager_login=manager_login)
    except UserError as exc:
        raise CliError(str(exc)) from None
    emit({"id": user.id, "login": user.login, "role": user.role, "department": department},
         as_json, f"Создан сотрудник {user.login} (id {user.id})")


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def list_users(as_json: bool) -> None:
    """Список сотрудников."""
    users = all_users(db.session)
    rows = [{"id": u.id, "login": u.login, "full_name": u.full_name, "role": u.role,
             "department": u.department.code if u.department else None, "active": u.is_active}
            for u in users]
    emit(rows, as_json, "\n".join(f"{r['login']:<14} {r['role']:<20} {r['full_name']}" for r in rows))


@user_group.command("token")
@click.option("--login", required=True)
@click.option("--name", default="CLI", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def token(login: str, name: str, as_json: bool) -> None:
    """Выпустить персональный API-токен (показывается один раз)."""
    user = find_user(db.session, login.lower())
    if user is None:
        raise CliError(f"Пользователь «{login}» не найден")
    value = issue_api_token(db.session, user, name)
    emit({"login": user.login, "token": value}, as_json, value)


def register(cli: click.Group) -> None:
    cli.add_command(user_group)
