"""The ``crm`` command: database, deployment, demo data, users, the server.

Every command builds the app through the factory and runs in one unit of work
(``in_unit_of_work``), like a request. Failures print one line starting with «Ошибка:»
and exit non-zero (set ``CRM_DEBUG=1`` for the traceback); commands that report accept
``--json``.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import Flask
from flask.cli import FlaskGroup


class CliError(click.ClickException):
    """A one-line Russian error for the command line."""

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"Ошибка: {self.format_message()}", err=True)


class CrmGroup(FlaskGroup):
    """FlaskGroup that turns unexpected exceptions into a single error line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("CRM_DEBUG"):
                raise
            first_line = (str(exc).strip().splitlines() or [""])[0]
            raise CliError(f"{type(exc).__name__}: {first_line}") from exc


F = TypeVar("F", bound=Callable[..., Any])


def in_unit_of_work(command: F) -> F:
    """Run a command's body in one unit of work: committed when it ends, rolled back if it fails."""
    from models.platform.db import db
    from models.platform.unit_of_work import unit_of_work

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        with unit_of_work(db.session):
            return command(*args, **kwargs)

    return run  # type: ignore[return-value]


def emit(data: Any, as_json: bool, text: str) -> None:
    """Print ``data`` as JSON for scripts or ``text`` for people."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)


def _create_app() -> Flask:
    from web import create_app

    return create_app()


cli = CrmGroup(
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
    set_debug_flag=False,
    help="CRM: управление базой, процессами, данными и сервером.",
)


def main() -> None:
    """Entry point of the ``crm`` console script."""
    cli.main(prog_name="crm")


from web.cli import (  # noqa: E402
    db_commands,
    demo_commands,
    process_commands,
    report_commands,
    run_command,
    user_commands,
)

for module in (db_commands, demo_commands, process_commands, report_commands, run_command, user_commands):
    module.register(cli)

from web.cli import contract_commands, import_commands, insurance_commands  # noqa: E402  (client import, issue 4)

import_commands.register(cli)
insurance_commands.register(import_commands.import_group)
contract_commands.register(import_commands.import_group)
