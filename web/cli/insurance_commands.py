"""``crm import policies FILE`` / ``crm import claims FILE``: the insurance history from CSV/XLSX.

The same import as the page (``models.insurance.imports``): rows matched by number, a bad row
rejected with its reason and the good ones kept, ``--dry-run`` writes nothing but the results.
Prints the counts and the first rejected rows (``--json`` for scripts).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from models.clients.imports.files import ImportFileError
from models.identity.users import find_user
from models.insurance.imports import rows_of, run_import
from models.platform.db import db
from web.cli import CliError, emit, in_unit_of_work

SHOWN_REJECTED = 20


def _command(kind: str, title: str) -> click.Command:
    @click.command(kind, help=f"Импортировать {title} из CSV (UTF-8/Windows-1251, «;» или «,») или XLSX.")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="только проверить строки, ничего не записывая")
    @click.option("--user", "login", default=None, help="логин, от имени которого идёт импорт")
    @click.option("--json", "as_json", is_flag=True)
    @with_appcontext
    @in_unit_of_work
    def run(file: Path, dry_run: bool, login: str | None, as_json: bool) -> None:
        user = find_user(db.session, login.lower()) if login else None
        if login and user is None:
            raise CliError(f"Пользователь «{login}» не найден")
        try:
            batch = run_import(
                db.session,
                kind,
                file.read_bytes(),
                file.name,
                user_id=user.id if user else None,
                dry_run=dry_run,
                now=current_app.extensions["crm.clock"].now(),
            )
        except ImportFileError as exc:
            raise CliError(str(exc)) from None
        rejected = rows_of(db.session, batch, ("rejected",), SHOWN_REJECTED)
        data = {**batch.summary(), "rejected_rows": [{"row": r.row_no, "reason": r.reason} for r in rejected]}
        verb = "Пробный прогон" if dry_run else "Импорт"
        lines = [
            f"{verb} #{batch.id} ({title}): создано {batch.created_count}, обновлено {batch.updated_count}, "
            f"без изменений {batch.skipped_count}, отклонено {batch.rejected_count}"
        ]
        lines += [f"  строка {r.row_no}: {r.reason}" for r in rejected]
        emit(data, as_json, "\n".join(lines))

    return run


def register(group: click.Group) -> None:
    """Add ``policies`` and ``claims`` to ``crm import``."""
    group.add_command(_command("policies", "полисы"))
    group.add_command(_command("claims", "убытки"))
