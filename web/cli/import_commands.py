"""``crm import clients FILE``: import clients from CSV/XLSX with progress; ``crm import revert ID``.

The command runs the same import as the web page (same rules, modes, duplicate checks,
per-row isolation, audit reason «Импорт #N»), in the foreground, printing progress to
stderr and the summary to stdout (``--json`` for scripts). Without ``--user`` it acts as
the system: audit rows name no user and new clients get the owner named in the file.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from models.clients.imports.batches import ClientImport, ImportMode, create_batch, rejected_rows
from models.clients.imports.files import ImportFileError
from models.clients.imports.run import run_import
from models.clients.imports.service import revert_as_operator
from models.clients.index import refresh_statistics
from models.identity.users import User, find_user
from models.platform.db import db
from models.platform.errors import NotFound
from models.platform.unit_of_work import UnitOfWork, unit_of_work
from web.cli import CliError, emit, in_unit_of_work

SHOWN_REJECTED = 20


def _actor(login: str | None) -> User | None:
    if not login:
        return None
    user = find_user(db.session, login.lower())
    if user is None:
        raise CliError(f"Пользователь «{login}» не найден")
    return user


def _progress(total: int, work: UnitOfWork):
    state = {"shown": -1}

    def report(batch: ClientImport) -> None:
        work.checkpoint()  # one commit per chunk: progress survives, memory stays flat
        percent = int(100 * batch.processed_rows / total) if total else 100
        if percent // 10 != state["shown"] // 10 or batch.processed_rows == total:
            state["shown"] = percent
            click.echo(f"Импорт: {batch.processed_rows} из {total} строк ({percent}%)", err=True)

    return report


@click.group("import")
def import_group() -> None:
    """Импорт данных."""


@import_group.command("clients")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="только показать, что будет сделано")
@click.option("--mode", type=click.Choice([m.value for m in ImportMode]), default=ImportMode.CREATE.value,
              show_default=True, help="create — только новые; update — обновлять по ИНН; "
                                      "skip-duplicates — пропускать возможные дубликаты")
@click.option("--user", "login", default=None, help="логин, от имени которого идёт импорт")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def import_clients(file: Path, dry_run: bool, mode: str, login: str | None, as_json: bool) -> None:
    """Импортировать клиентов из CSV (UTF-8/Windows-1251, «;» или «,») или XLSX."""
    clock = current_app.extensions["crm.clock"]
    with unit_of_work(db.session) as work:
        actor = _actor(login)
        try:
            batch = create_batch(db.session, actor, file.read_bytes(), file.name, mode)
        except ImportFileError as exc:
            raise CliError(str(exc)) from None
        batch.dry_run, batch.status, batch.started_at = dry_run, "running", clock.now()
        work.checkpoint()
        run_import(db.session, batch, actor, on_chunk=_progress(batch.total_rows, work), now=clock.now,
                   overlap=None)
        work.checkpoint()
        if not dry_run:
            refresh_statistics(db.session, batch.created_count + batch.updated_count)
        rejected = rejected_rows(db.session, batch.id, SHOWN_REJECTED)
    data = {**batch.progress(), "mode": mode,
            "rejected_rows": [{"row": r.row_no, "reason": r.reason} for r in rejected]}
    verb = "Пробный прогон" if dry_run else "Импорт"
    lines = [f"{verb} #{batch.id}: создано {batch.created_count}, обновлено {batch.updated_count}, "
             f"пропущено {batch.skipped_count}, отклонено {batch.rejected_count}"]
    lines += [f"  строка {r.row_no}: {r.reason}" for r in rejected]
    emit(data, as_json, "\n".join(lines))


@import_group.command("revert")
@click.argument("batch_id", type=int)
@click.option("--user", "login", default=None, help="логин, от имени которого идёт откат")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def revert(batch_id: int, login: str | None, as_json: bool) -> None:
    """Отменить импорт целиком (созданные клиенты удаляются, изменённые восстанавливаются)."""
    try:
        result = revert_as_operator(db.session, _actor(login), batch_id,
                                    current_app.extensions["crm.clock"].now())
    except NotFound as exc:
        raise CliError(exc.message) from None
    except ImportFileError as exc:
        raise CliError(str(exc)) from None
    emit(result, as_json, f"Импорт #{batch_id} отменён: удалено {result['deleted']}, "
                          f"восстановлено {result['restored']}")


def register(cli: click.Group) -> None:
    """Add ``crm import`` to the command group."""
    cli.add_command(import_group)
