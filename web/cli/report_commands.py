"""``crm export <entity>`` (the BI feed to stdout or a file) and ``crm reports rebuild`` (the summaries)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from models.identity.users import find_user
from models.platform.db import db
from models.reports.feed import FeedError, feed_pages
from models.reports.feed_format import csv_text, jsonl_lines
from models.reports.rebuild import rebuild_summaries
from web.cli import CliError, emit, in_unit_of_work


@click.command(
    "export", help="Выгрузить объект для BI (deals, clients, leads, tasks, activities) в JSON lines или CSV."
)
@click.argument("entity")
@click.option("--updated-since", default=None, help="ISO 8601 с поясом, например 2026-11-01T00:00:00+03:00")
@click.option("--format", "kind", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option("--user", "login", default="admin", show_default=True, help="чьи права применить")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
@in_unit_of_work
def export(entity: str, updated_since: str | None, kind: str, login: str, output: Path | None) -> None:
    user = find_user(db.session, login.lower())
    if user is None:
        raise CliError(f"Пользователь «{login}» не найден")
    out = output.open("w", encoding="utf-8", newline="") if output else click.get_text_stream("stdout")
    try:
        for number, page in enumerate(feed_pages(db.session, user, entity, updated_since)):
            out.write(csv_text(page, header=number == 0) if kind == "csv" else "".join(jsonl_lines(page)))
    except FeedError as exc:
        raise CliError(str(exc)) from exc
    finally:
        if output:
            out.close()


@click.group("reports", help="Отчёты: сводные таблицы дашборда.")
def reports_group() -> None:
    pass


@reports_group.command("rebuild", help="Пересчитать сводные таблицы из сделок, этапов и активностей.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@in_unit_of_work
def rebuild(as_json: bool) -> None:
    counts = rebuild_summaries(db.session)
    emit(counts, as_json, "\n".join(f"{table}: {n}" for table, n in counts.items()))


def register(group: click.Group) -> None:
    group.add_command(export)
    group.add_command(reports_group)
