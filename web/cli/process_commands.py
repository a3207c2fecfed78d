"""``crm deploy`` and ``crm process …``: deploy, list, start, show, migrate, message.

Each command is one unit of work; reading and writing go through the engine façade.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from engine.bundle import Bundle
from engine.errors import EngineError, NotFound
from engine.monitoring import InstanceSummary
from models.platform.db import db
from models.platform.unit_of_work import unit_of_work
from web.cli import CliError, emit, in_unit_of_work
from web.engine_support import process_engine


def _settings():
    return current_app.extensions["crm.settings"]


def _json_arg(text: str, what: str) -> dict:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{what}: неверный JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise CliError(f"{what}: ожидается JSON-объект")
    return value


@click.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def deploy(paths: tuple[Path, ...], as_json: bool) -> None:
    """Развернуть .bpmn/.dmn и их формы (по умолчанию processes/); новая версия — только при изменениях."""
    settings = _settings()
    try:
        with unit_of_work(db.session):
            bundle = Bundle.from_paths(list(paths) or [settings.processes_dir], settings.forms_dir)
            results = process_engine().deploy(bundle)
    except EngineError as exc:
        raise CliError(exc.message) from None
    words = {"new": "новый", "updated": "обновлён", "unchanged": "без изменений"}
    lines = [f"{r.key}: версия {r.version} ({words[r.status]})" for r in results]
    emit([r.as_dict() for r in results], as_json, "\n".join(lines) or "Нет процессов для развёртывания")


@click.group("process")
def process_group() -> None:
    """Процессы: список, запуск, просмотр, миграция, сообщения."""


@process_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def list_processes(as_json: bool) -> None:
    """Определения процессов с версиями и числом экземпляров по статусам."""
    rows = [{"key": d.key, "name": d.name, "latest_version": d.latest_version, "instances": d.counts}
            for d in process_engine().definitions_overview()]
    emit(rows, as_json, "\n".join(
        f"{r['key']:<30} v{r['latest_version']:<3} {r['name']}  {r['instances'] or ''}" for r in rows)
        or "Процессы не развёрнуты")


@process_group.command("start")
@click.argument("key")
@click.option("--data", default="{}", help="начальные данные, JSON")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def start(key: str, data: str, as_json: bool) -> None:
    """Запустить процесс KEY."""
    try:
        with unit_of_work(db.session):
            engine = process_engine()
            instance = engine.start(key, _json_arg(data, "--data"))
            started = _instance_dict(engine.instance_summary(instance.id))
    except EngineError as exc:
        raise CliError(exc.message) from None
    emit(started, as_json, f"Запущен экземпляр {started['id']} ({started['status']})")


def _instance_dict(summary: InstanceSummary) -> dict:
    instance = summary.instance
    return {
        "id": instance.id, "process": instance.process_key, "version": instance.definition.version,
        "status": instance.status, "started_at": instance.started_at, "next_timer_at": instance.next_timer_at,
        "tasks": [{"id": t.id, "title": t.title, "status": t.status, "assignee_id": t.assignee_id,
                   "candidate_role": t.candidate_role, "due_at": t.due_at} for t in summary.tasks],
    }


@process_group.command("show")
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def show(instance_id: int, as_json: bool) -> None:
    """Показать экземпляр: статус, задачи, историю."""
    try:
        summary = process_engine().instance_summary(instance_id)
    except NotFound:
        raise CliError(f"экземпляр {instance_id} не найден") from None
    instance = summary.instance
    data = _instance_dict(summary)
    data["events"] = [{"at": e.at, "kind": e.kind, "element": e.element_id} for e in summary.events]
    lines = [f"#{instance.id} {instance.process_key} v{data['version']}: {instance.status}"]
    lines += [f"  задача {t['id']}: {t['title']} [{t['status']}]" for t in data["tasks"]]
    lines += [f"  {e['at']:%Y-%m-%d %H:%M:%S} {e['kind']} {e['element'] or ''}" for e in data["events"]]
    text = "\n".join(lines)
    emit(data, as_json, text)


@process_group.command("migrate")
@click.option("--key", default=None, help="только этот процесс")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def migrate(key: str | None, as_json: bool) -> None:
    """Перевести совместимые экземпляры на последнюю версию; несовместимые — перечислить."""
    with unit_of_work(db.session):
        results = process_engine().migrate_all(key, None)
    lines = []
    for r in results:
        if r.migrated:
            lines.append(f"#{r.instance_id}: v{r.from_version} → v{r.to_version}")
        else:
            lines.append(f"#{r.instance_id}: остаётся на v{r.from_version}; удалены элементы "
                         f"{', '.join(r.removed)}; изменены {', '.join(r.changed) or '—'}")
    emit([r.as_dict() for r in results], as_json, "\n".join(lines) or "Нечего переносить")


@process_group.command("message")
@click.argument("name")
@click.option("--correlation", default="{}", help='ключи корреляции, JSON, например {"deal_id": 42}')
@click.option("--payload", default="{}", help="данные сообщения, JSON")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def message(name: str, correlation: str, payload: str, as_json: bool) -> None:
    """Отправить сообщение NAME ожидающим экземплярам."""
    with unit_of_work(db.session):
        result = process_engine().send_message(name, _json_arg(correlation, "--correlation"),
                                               _json_arg(payload, "--payload"), None)
    texts = {"delivered": "доставлено экземплярам", "started": "запущены экземпляры",
             "unmatched": "никто не ожидает этого сообщения"}
    emit(result.as_dict(), as_json, f"{texts[result.status]} {result.instance_ids or ''}".strip())
    if result.status == "unmatched":
        raise click.exceptions.Exit(2)


def register(cli: click.Group) -> None:
    from web.cli import studio_commands

    studio_commands.register(process_group)
    cli.add_command(deploy)
    cli.add_command(process_group)
