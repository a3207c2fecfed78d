"""``crm db``: apply and inspect Alembic migrations (the only way the schema changes)."""

from __future__ import annotations

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from models.platform.db import db
from web.cli import CliError, emit


def alembic_config() -> Config:
    return current_app.extensions["migrate"].migrate.get_config()


def applied_heads() -> list[str]:
    with db.engine.connect() as conn:
        return sorted(MigrationContext.configure(conn).get_current_heads())


@click.group("db")
def db_group() -> None:
    """База данных: миграции Alembic."""


@db_group.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def upgrade(revision: str, as_json: bool) -> None:
    """Применить миграции (создаёт схему на пустой базе)."""
    command.upgrade(alembic_config(), revision)
    heads = applied_heads()
    emit({"database": db.engine.dialect.name, "heads": heads}, as_json,
         f"База {db.engine.dialect.name} обновлена до {', '.join(heads)}")


@db_group.command("current")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def current(as_json: bool) -> None:
    """Показать применённую миграцию."""
    heads = applied_heads()
    script_heads = sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
    data = {"database": db.engine.dialect.name, "applied": heads, "latest": script_heads,
            "up_to_date": heads == script_heads}
    emit(data, as_json, f"Применено: {', '.join(heads) or 'ничего'}; последняя: "
         f"{', '.join(script_heads)}")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
@with_appcontext
def revision(message: str, autogenerate: bool) -> None:
    """Создать файл миграции (для разработчиков; проверьте его руками)."""
    if autogenerate and applied_heads() != sorted(
        ScriptDirectory.from_config(alembic_config()).get_heads()
    ):
        raise CliError("сначала примените существующие миграции: crm db upgrade")
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
