"""What a user feels: the real server (gunicorn, 2 workers) under a mixed load of logged-in users.

The data set, on a SQLite file and on PostgreSQL (database ``crm_bench_web``, kept between runs
with ``--keep``, so the 1,000,000-row load is paid once):

- ``--rows`` clients, each with a contact, written by the import's own loader
  (``models.clients.bulk_insert.insert_clients``: contact points, name tokens, history and audit
  rows as an import leaves them), with Russian company names, INNs and phones;
- as many deals in the company funnel over three years (open, won with a contract premium, lost
  with a reason), their stage history and ``2 × rows`` activities — the generator of
  ``bench/reports.py``, run inside the database — and the report summaries rebuilt from them;
- as many tasks, a tenth of them open, each linked to a real deal or client of its assignee.

Then ``crm run`` serves it with ``CRM_SERVER_TIMING=1`` (``web/server_timing.py``) and a locust
load (``bench/_web_load.py``, a process of its own: locust patches the standard library with
gevent) of ``--users`` logged-in people — managers, senior managers, the head — works for
``--seconds`` through the home page, the inbox, client search (by name and by INN), client cards,
the deals list, deals search, the board, deal cards, the task form and the JSON API. Every answer
is checked: its status and a marker of its content (the client's or the deal's name, the page
heading, the API's field), so an error page or someone else's record counts as an error.

Printed per page: requests, errors, requests/s, p50/p95/p99 ms as the load generator saw them,
and the **server's CPU ms per request** (median and mean of the ``Server-Timing`` figure: the
worker thread's own CPU, which does not depend on the load generator sharing the 2 cores) with
the SQL statements per request; then the totals, the workers' CPU from ``/proc`` per request as a
cross-check, and the verdict against the issue's targets: ≥ 200 requests/s with p95 < 200 ms and
no errors, or server CPU ≤ 8 ms per request at the median page.

``python -m bench web [--rows 200000] [--users 20] [--seconds 60] [--db sqlite|postgresql|both]
[--keep] [--reload]``; ``make bench`` runs the default size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from bench.common import PG_URL, check, deployed_app, pg_admin_url, sabotaged, served
from bench.reports import Sql, World, analyze, load_generated
from models.clients.bulk_insert import insert_clients
from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import db
from models.reports.rebuild import rebuild_summaries
from models.sales.deals import Deal

PG_NAME = "crm_bench_web"
PASSWORD = "bench"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TARGET_RPS, TARGET_P95_MS, TARGET_CPU_MS = 200.0, 200.0, 8.0
WORDS = ("Альфа", "Вектор", "Гранит", "Север", "Мегаполис", "Стройинвест", "Транслогистик", "Агропром",
         "Энергосбыт", "Медтехника", "Промснаб", "Балтика", "Уралсталь", "Сибресурс", "Волга", "Техноком")
FORMS = ("ООО", "АО", "ПАО", "ООО", "ООО")
TERRITORIES = ("Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Самара")


def _client_cards(first: int, count: int, owners: list[int]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Company cards numbered ``first``…: two name words, a unique INN and phone, a contact person."""
    cards = []
    for n in range(first, first + count):
        words = f"{WORDS[n % len(WORDS)]} {WORDS[(n // len(WORDS)) % len(WORDS)]}"
        card = {"kind": "company", "full_name": f"{FORMS[n % len(FORMS)]} «{words} {n}»", "inn": f"77{n:08d}",
                "phone": f"+7495{n:07d}", "email": f"office{n}@client{n % 997}.ru",
                "status": "active", "registry_flag": False,
                "territory": TERRITORIES[n % len(TERRITORIES)], "tags": [],
                "owner_id": owners[(n * 39373 + 4) % 2147483647 % len(owners)]}
        contact = {"full_name": f"Контакт Сотрудникович {n}", "phone": f"+7916{n:07d}",
                   "position": "Директор", "is_decision_maker": n % 2 == 0,
                   "email": f"person{n}@client{n % 997}.ru"}
        cards.append((card, contact))
    return cards


def _task_statement(sql: Sql, rows: int, deals: int) -> str:
    """``rows`` tasks, a tenth open: each for the owner of a real deal, linked to it (or its client)."""
    now = int(NOW.timestamp())
    due = f"{now} + ((s.n * 7919) % 40 - 20) * 86400"
    is_open = "(s.n % 10 = 0)"
    return f"""INSERT INTO task (title, assignee_id, creator_id, business_type, business_id, due_at, priority,
        status, is_open, created_at, updated_at, version)
      SELECT CASE WHEN s.n % 3 = 0 THEN 'Позвонить клиенту' WHEN s.n % 3 = 1 THEN 'Подготовить КП'
          ELSE 'Уточнить реквизиты' END,
        d.owner_id, d.owner_id, CASE WHEN s.n % 4 = 0 THEN 'client' ELSE 'deal' END,
        CASE WHEN s.n % 4 = 0 THEN d.client_id ELSE d.id END, {sql.ts(due)}, 2,
        CASE WHEN {is_open} THEN 'new' ELSE 'done' END, {is_open}, {sql.ts(f"{now} - s.n % 300 * 86400")},
        {sql.ts(f"{now} - s.n % 300 * 86400")}, 1
      FROM {sql.series(rows)} AS s JOIN deal d ON d.id = 1 + (s.n * 48271) % {deals}"""


def load(url: str, kind: str, instance: Path, rows: int) -> None:
    """Build the data set described in the module's docstring (schema by the migrations)."""
    app = deployed_app(url, instance)
    started = time.perf_counter()
    with app.app_context():
        session = db.session
        world = World(session, rows, 2 * rows)
        hashed = generate_password_hash(PASSWORD)
        session.execute(User.__table__.update().values(password_hash=hashed))
        session.commit()
        for first in range(1, rows + 1, 5000):
            insert_clients(session, _client_cards(first, min(5000, rows + 1 - first), world.owners),
                           actor_id=None, reason="нагрузочный тест", now=NOW)
            session.commit()
        world.clients = rows
        load_generated(db.engine, kind, world, clients=False)
        session.execute(text(_task_statement(Sql(kind), rows, rows)))
        session.commit()
        rebuild_summaries(session)
        session.commit()
        db.session.remove()
        analyze(db.engine, kind)
        db.engine.dispose()
    print(f"{kind:10} загружено за {time.perf_counter() - started:6.0f} с: {rows} клиентов, сделок, задач",
          flush=True)


def plan(url: str, instance: Path, users: int) -> dict[str, Any]:
    """Who logs in and what each may open: own clients and deals with the names their pages must show."""
    app = deployed_app(url, instance)
    accounts = []
    with app.app_context():
        session = db.session
        managers = list(session.scalars(select(User).where(User.login.like("bench%")).order_by(User.id)))
        people = [("head", None), ("senior", None)] + [(u.login, u.id) for u in managers]
        for login, owner in people[:users]:
            deals = select(Deal.id, Deal.title, Client.inn).join(Client, Client.id == Deal.client_id).where(
                Deal.status == "open")
            clients = select(Client.id, Client.full_name, Client.inn)
            if owner is not None:
                deals = deals.where(Deal.owner_id == owner)
                clients = clients.where(Client.owner_id == owner)
            picked = session.execute(deals.order_by(Deal.id.desc()).limit(30)).all()
            own = session.execute(clients.order_by(Client.id.desc()).limit(30)).all()
            accounts.append({"login": login, "password": PASSWORD,
                             "deals": [[d[0], d[1], d[2]] for d in picked],
                             "clients": [[c[0], c[1], c[2]] for c in own]})
        total = session.scalar(select(func.count(Deal.id)))
        db.session.remove()
        db.engine.dispose()
    if sabotaged():  # every card of the first person must show another client's name: errors follow
        first = accounts[0]["clients"]
        names = [c[1] for c in first]
        shifted = names[1:] + names[:1]
        accounts[0]["clients"] = [[c[0], name, c[2]] for c, name in zip(first, shifted, strict=True)]
    return {"accounts": accounts, "deals": total}


def _worker_cpu(master: int) -> float:
    """CPU seconds used so far by the gunicorn workers (children of ``master``)."""
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _print(kind: str, rows: int, result: dict[str, Any], worker_cpu_ms: float) -> dict[str, Any]:
    pages = result["pages"]
    print(f"\n{kind}, {rows} строк, {result['users']} пользователей, {result['seconds']:.0f} с:", flush=True)
    print(f"{'страница':22} {'запр.':>6} {'ошиб.':>5} {'запр./с':>8} {'p50 мс':>7} {'p95 мс':>7}"
          f" {'p99 мс':>7} {'CPU p50':>8} {'CPU ср.':>8} {'SQL':>4}")
    for name, page in sorted(pages.items()):
        print(f"{name:22} {page['requests']:6} {page['errors']:5} {page['rps']:8.1f} {page['p50']:7.0f}"
              f" {page['p95']:7.0f} {page['p99']:7.0f} {page['cpu_p50']:8.2f} {page['cpu_mean']:8.2f}"
              f" {page['sql_p50']:4.0f}")
    total = result["total"]
    median_page_cpu = statistics.median(p["cpu_p50"] for p in pages.values())
    print(f"{'всего':22} {total['requests']:6} {total['errors']:5} {total['rps']:8.1f} {total['p50']:7.0f}"
          f" {total['p95']:7.0f} {total['p99']:7.0f}")
    print(f"CPU воркеров по /proc: {worker_cpu_ms:.2f} мс на запрос; "
          f"CPU медианной страницы {median_page_cpu:.2f} мс "
          f"(цель ≤ {TARGET_CPU_MS:.0f}, отношение {median_page_cpu / TARGET_CPU_MS:.2f})")
    by_rate = total["rps"] >= TARGET_RPS and total["p95"] < TARGET_P95_MS
    print(f"цель: ≥ {TARGET_RPS:.0f} запр./с при p95 < {TARGET_P95_MS:.0f} мс — "
          f"{'да' if by_rate else 'нет'} ({total['rps']:.0f} запр./с, p95 {total['p95']:.0f} мс); "
          f"CPU ≤ {TARGET_CPU_MS:.0f} мс — {'да' if median_page_cpu <= TARGET_CPU_MS else 'нет'}", flush=True)
    return {"median_page_cpu": median_page_cpu, **total}


def measure(url: str, kind: str, instance: Path, rows: int, users: int, seconds: float) -> dict[str, Any]:
    """Serve the data set and drive the load; the printed table's figures."""
    accounts = plan(url, instance, users)
    with tempfile.TemporaryDirectory() as tmp, served(url, instance, CRM_SERVER_TIMING="1") as (base, master):
        plan_file, out_file = Path(tmp) / "plan.json", Path(tmp) / "result.json"
        plan_file.write_text(json.dumps(accounts, ensure_ascii=False))
        cpu_before = _worker_cpu(master)
        subprocess.run([sys.executable, "-m", "bench._web_load", base, str(plan_file), str(out_file),
                        str(users), str(seconds)], check=True)
        cpu = _worker_cpu(master) - cpu_before
        result = json.loads(out_file.read_text()) if out_file.exists() else {}
    check(bool(result.get("pages")), "генератор нагрузки не вернул результатов")
    total = result["total"]
    figures = _print(kind, rows, result, cpu * 1000 / max(total["requests"], 1))
    for name, page in result["pages"].items():
        check(page["errors"] == 0, f"страница {name}: {page['errors']} ответов с ошибкой, например "
                                   f"{page['example']}")
    check(total["requests"] > 0, "ни одного запроса")
    return figures


@contextmanager
def _databases(kinds: list[str], rows: int, keep: bool,
               reload: bool) -> Iterator[dict[str, tuple[str, Path]]]:
    """SQLite file and PostgreSQL database per kind, loaded unless kept from an earlier run."""
    keep_dir = Path(tempfile.gettempdir()) / f"crm_bench_web_{rows}"
    scratch = tempfile.TemporaryDirectory()
    folder = keep_dir if keep else Path(scratch.name)
    folder.mkdir(parents=True, exist_ok=True)
    pg_name = f"{PG_NAME}_{rows}"
    urls: dict[str, tuple[str, Path]] = {}
    try:
        for kind in kinds:
            instance = folder / kind
            instance.mkdir(exist_ok=True)
            marker = instance / "loaded"
            if kind == "sqlite":
                url = f"sqlite:///{instance}/bench.db"
                if reload or not marker.exists():
                    (instance / "bench.db").unlink(missing_ok=True)
            else:
                url = make_url(PG_URL).set(database=pg_name).render_as_string(hide_password=False)
                if reload or not marker.exists():
                    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
                        conn.execute(f'CREATE DATABASE "{pg_name}"')
            if reload or not marker.exists():
                marker.unlink(missing_ok=True)
                load(url, kind, instance, rows)
                marker.write_text(datetime.now(UTC).isoformat())
            urls[kind] = (url, instance)
        yield urls
    finally:
        if not keep:
            if "postgresql" in kinds:
                with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            scratch.cleanup()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.web", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--keep", action="store_true", help="keep the loaded databases for the next run")
    parser.add_argument("--reload", action="store_true", help="load again even when kept")
    args = parser.parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    with _databases(kinds, args.rows, args.keep, args.reload) as urls:
        for kind, (url, instance) in urls.items():
            measure(url, kind, instance, args.rows, args.users, args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
