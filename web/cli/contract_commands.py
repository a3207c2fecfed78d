"""``crm import contracts FILE``: the broker's book of business from CSV/XLSX.

The same import as the page (``models.contracts.imports``): rows matched by number, a bad row
rejected with its reason and the good ones kept, ``--dry-run`` writes nothing but the results.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from models.clients.imports.files import ImportFileError
from models.contracts.imports import run_import
from models.identity.users import find_user
from models.platform.db import db
from web.cli import CliError, emit, in_unit_of_work

SHOWN_REJECTED = 20


@click.command("contracts", help="Импортировать договоры из CSV (UTF-8/Windows-1251, «;» или «,») или XLSX.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="только проверить строки, ничего не записывая")
@click.option("--user", "login", default=None, help="логин, от имени которого идёт импорт")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def import_contracts(file: Path, dry_run: bool, login: str | None, as_json: bool) -> None:
    user = find_user(db.session, login.lower()) if login else None
    if login and user is None:
        raise CliError(f"Пользователь «{login}» не найден")
    try:
        batch = run_import(
            db.session,
            file.read_bytes(),
            file.name,
            user_id=user.id if user else None,
            dry_run=dry_run,
            now=current_app.extensions["crm.clock"].now(),
        )
    except ImportFileError as exc:
        raise CliError(str(exc)) from None
    rejected = [r for r in batch.rows if r.outcome == "rejected"][:SHOWN_REJECTED]
    data = {**batch.summary(), "rejected_rows": [{"row": r.row_no, "reason": r.reason} for r in rejected]}
    verb = "Пробный прогон" if dry_run else "Импорт"
    lines = [
        f"{verb} #{batch.id} (договоры): создано {batch.created_count}, обновлено {batch.updated_count}, "
        f"без изменений {batch.skipped_count}, отклонено {batch.rejected_count}"
    ]
    lines += [f"  строка {r.row_no}: {r.reason}" for r in rejected]
    emit(data, as_json, "\n".join(lines))


def register(group: click.Group) -> None:
    """Add ``contracts`` to ``crm import``."""
    group.add_command(import_contracts)
