"""``crm demo``: load believable demo data once (never in production)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from models.identity.demo import DEMO_PASSWORD, DEMO_USERS
from models.platform.audit import acting_as
from models.platform.db import db
from models.platform.registry import DemoContext
from models.platform.unit_of_work import unit_of_work
from web.cli import CliError, emit
from web.engine_support import process_engine


@click.command("demo")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def demo(as_json: bool) -> None:
    """Заполнить базу демо-данными (повторный запуск ничего не дублирует)."""
    if current_app.extensions["crm.settings"].is_production:
        raise CliError("демо-данные с паролем «demo» запрещены при CRM_ENV=production")
    context = DemoContext(session=db.session, clock=current_app.extensions["crm.clock"],
                          settings=current_app.extensions["crm.settings"], engine=process_engine)
    created: dict[str, int] = {}
    with unit_of_work(db.session), acting_as(None, reason="демо-данные"):
        for _name, seed in current_app.extensions["crm.registry"].demo_seeds:
            created.update(seed(context))
    logins = [u.login for u in DEMO_USERS]
    text = "Демо-данные: " + ", ".join(f"{k}: +{v}" for k, v in created.items())
    text += f"\nДемо-входы (пароль «{DEMO_PASSWORD}»): " + ", ".join(logins)
    emit({"created": created, "logins": logins, "password": DEMO_PASSWORD}, as_json, text)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
