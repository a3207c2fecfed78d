"""``crm process export`` and ``crm process simulate``: the studio's work from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from engine.errors import EngineError
from engine.simulation import parse_scenario
from engine.simulation.results import SimulationResult
from models.platform.db import db
from models.studio.errors import StudioError
from models.studio.exports import export
from web.cli import CliError, emit, in_unit_of_work
from web.engine_support import process_engine
from web.studio.formatting import share, span


@click.command("export")
@click.argument("key")
@click.option("--version", type=int, default=None, help="версия (по умолчанию последняя)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def export_command(key: str, version: int | None, as_json: bool) -> None:
    """Записать развёрнутую версию KEY обратно в processes/ (и её формы в forms/), чтобы закоммитить."""
    settings = current_app.extensions["crm.settings"]
    try:
        done = export(
            db.session, process_engine(), key, Path(settings.processes_dir), Path(settings.forms_dir), version
        )
    except (EngineError, StudioError) as exc:
        raise CliError(exc.message) from None
    emit(
        {"key": done.key, "version": done.version, "files": [str(f) for f in done.files]},
        as_json,
        f"{key} v{done.version}: " + ", ".join(str(f) for f in done.files),
    )


def _summary(result: SimulationResult) -> dict:
    waiting, working = result.cycle_split()
    return {
        "label": result.label,
        "cases": len(result.cases),
        "completed": len(result.completed),
        "cycle_p50_s": result.cycle(0.5),
        "cycle_p90_s": result.cycle(0.9),
        "waiting_s": waiting,
        "working_s": working,
        "utilisation": result.utilisation(),
        "timers": dict(result.timers),
        "reminders": result.reminders,
        "escalations": result.escalations,
        "overdue_notices": result.overdue_notices,
        "incidents": dict(result.incidents),
        "tasks": [t.__dict__ for t in result.task_summaries()],
        "paths": [{"path": p, "cases": n} for p, n in result.paths(5)],
        "seconds": round(result.wall_seconds, 2),
    }


def _text(result: SimulationResult) -> str:
    data = _summary(result)
    lines = [
        f"{result.key}, {result.label}: {data['completed']} из {data['cases']} случаев завершено "
        f"за {data['seconds']} с расчёта",
        f"  время прохождения p50 {span(data['cycle_p50_s'])}, p90 {span(data['cycle_p90_s'])}; "
        f"в среднем ожидание {span(data['waiting_s'])}, работа {span(data['working_s'])}",
        "  загрузка: "
        + ", ".join(
            f"{pool} ({result.capacity.get(pool)}) {share(u)}"
            for pool, u in sorted(data["utilisation"].items())
        ),
        f"  таймеров {sum(result.timers.values())}, напоминаний {result.reminders}, "
        f"эскалаций {result.escalations}, инцидентов {sum(result.incidents.values())}",
    ]
    for task in result.task_summaries():
        lines.append(
            f"  {task.name}: {task.count}, ожидание {span(task.waiting_avg)} (p90 {span(task.waiting_p90)}), "
            f"работа {span(task.working_avg)}"
        )
    return "\n".join(lines)


@click.command("simulate")
@click.argument("key")
@click.option(
    "--scenario",
    "scenario_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="сценарий, JSON (см. README «Симуляция»)",
)
@click.option("--version", type=int, default=None, help="версия (по умолчанию последняя)")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def simulate_command(key: str, scenario_file: Path, version: int | None, as_json: bool) -> None:
    """Прогнать сценарий на версии KEY: настоящий движок, виртуальные часы, ничего не записывается."""
    try:
        scenario = parse_scenario(json.loads(scenario_file.read_text(encoding="utf-8")))
    except OSError as exc:
        raise CliError(f"сценарий не читается: {exc.strerror}") from None
    except (ValueError, EngineError) as exc:
        raise CliError(f"сценарий: {getattr(exc, 'message', exc)}") from None
    try:
        result = process_engine().simulate(
            key, scenario, version=version, label=f"версия {version or 'последняя'}"
        )
    except EngineError as exc:
        raise CliError(exc.message) from None
    emit(_summary(result), as_json, _text(result))


def register(group: click.Group) -> None:
    group.add_command(export_command)
    group.add_command(simulate_command)
