"""``crm demo``: load believable demo data once (never in production)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from models import db
from models.audit import acting_as
from models.demo import DEMO_PASSWORD, DEMO_USERS, load_demo
from web.cli import CliError, emit


@click.command("demo")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def demo(as_json: bool) -> None:
    """Заполнить базу демо-данными (повторный запуск ничего не дублирует)."""
    if current_app.extensions["crm.settings"].is_production:
        raise CliError("демо-данные с паролем «demo» запрещены при CRM_ENV=production")
    with acting_as(None, reason="демо-данные"):
        created = load_demo(db.session)
        for hook in current_app.extensions.get("crm.demo_hooks", []):
            created.update(hook(db.session))
    db.session.commit()
    logins = [u.login for u in DEMO_USERS]
    text = "Демо-данные: " + ", ".join(f"{k}: +{v}" for k, v in created.items())
    text += f"\nДемо-входы (пароль «{DEMO_PASSWORD}»): " + ", ".join(logins)
    emit({"created": created, "logins": logins, "password": DEMO_PASSWORD}, as_json, text)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
