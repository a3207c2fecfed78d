"""Leads per second through the public intake of the real server, routing and the manager's first task.

For SQLite (a temporary file) and PostgreSQL (database ``crm_bench_leads`` on
``CRM_BENCH_PG_URL`` or the test server, created and dropped here), the schema comes
from the Alembic migrations and the shipped processes are deployed; then ``crm run`` serves
the app (gunicorn, 2 workers × 4 threads, no scheduler) and leads are posted over HTTP to
``POST /intake/lead`` by one client and by several concurrent ones: each lead is stored,
matched against the client base, routed by the DMN tables and the least-load rule, and gets
its «Связаться с клиентом» task and the manager's notification, all in the request's transaction.

Printed per run: leads/s, and what a lead cost the server — the gunicorn workers' CPU from
``/proc`` (HTTP included), the application's own CPU and SQL statements from ``Server-Timing``,
and on PostgreSQL the CPU of the database's backends from ``/proc`` — with the rate those
figures allow on 2 cores if the server had them to itself («потолок»), and if it shared them
with the bench's own clients (their CPU per lead is printed too). Leads/s depend on the machine's
load (the load generator shares it, as may other work); the CPU figures much less.
Every answer must be 202, and every lead must be stored, routed to a manager, linked to its
process, with one open task and one «new lead» notification (checked in the database).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from flask import Flask
from sqlalchemy import delete, func, select, text

from bench.common import check, deployed_app, on_both_databases, sabotaged, served
from engine.tables import HumanTask, TaskStatus
from models.notifications.service import Notification
from models.platform.db import db
from models.sales.leads import Lead
from models.sales.routing import ensure_default_teams

PG_NAME = "crm_bench_leads"
TERRITORIES = (("Москва", "Логистика"), ("Казань", "Торговля"), (None, None))
SERVER_WORKERS = 2
CORES = 2
TIMING = re.compile(r"cpu;dur=([\d.]+).*sql;desc=\"statements\";dur=(\d+)")


@dataclass
class Run:
    seconds: float = 0.0
    failures: list[int] = field(default_factory=list)
    app_cpu_ms: list[float] = field(default_factory=list)  # Server-Timing, per request
    statements: list[int] = field(default_factory=list)


def _post(http: requests.Session, base: str, n: int, worker: int, run: Run) -> None:
    territory, industry = TERRITORIES[n % len(TERRITORIES)]
    body = {"consent": True, "name": f"Бенч {worker}-{n}", "company": f"ООО «Бенч {worker}-{n}»",
            "phone": f"+7916{worker:03d}{n:04d}", "email": f"b{worker}_{n}@bench.ru"}
    if territory:
        body.update(territory=territory, industry=industry)
    answer = http.post(f"{base}/intake/lead", json=body, timeout=60)
    if answer.status_code != 202:
        run.failures.append(answer.status_code)
    timing = TIMING.search(answer.headers.get("Server-Timing", ""))
    if timing:
        run.app_cpu_ms.append(float(timing.group(1)))
        run.statements.append(int(timing.group(2)))


def _run(base: str, leads: int, threads: int, worker_offset: int) -> Run:
    run = Run()

    def work(worker: int) -> None:
        with requests.Session() as http:
            for n in range(leads // threads):
                _post(http, base, n, worker, run)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(w + worker_offset,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    run.seconds = time.perf_counter() - started
    return run


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of ``pids`` that still runs."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone, or not ours to read
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def _workers(master: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def _backends(url: str) -> list[int]:
    """The PostgreSQL backends serving the bench's database (on this machine), none on SQLite."""
    if not url.startswith("postgresql"):
        return []
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            own = conn.scalar(text("SELECT pg_backend_pid()"))
            return [pid for (pid,) in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")) if pid != own]
    finally:
        engine.dispose()


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process born in between counts from its start."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _measure(kind: str, url: str, instance: Path, leads: int, threads: int) -> None:
    app = deployed_app(url, instance, prepare=ensure_default_teams)
    with app.app_context():
        db.engine.dispose()
    posted = 10
    with served(url, instance, workers=SERVER_WORKERS, CRM_INTAKE_RATE_PER_MINUTE=str(10**9),
                CRM_SERVER_TIMING="1") as (base, master):
        _run(base, 10, 1, 0)  # warm-up: the workers' caches of specs and forms, the connection pools
        for offset, (label, n_threads) in enumerate((("1 клиент", 1), (f"{threads} клиента", threads)), 1):
            workers_before = _cpu_seconds(_workers(master))
            backends_before = _cpu_seconds(_backends(url))
            load = os.getloadavg()[0]
            client_before = time.process_time()  # this process only runs the clients meanwhile
            run = _run(base, leads, n_threads, offset * 100)
            client_ms = (time.process_time() - client_before) * 1000
            done = (leads // n_threads) * n_threads
            posted += done
            worker_ms = _cpu_used(workers_before, _cpu_seconds(_workers(master))) * 1000 / done
            db_ms = (_cpu_used(backends_before, _cpu_seconds(_backends(url))) * 1000 / done
                     if kind == "postgresql" else 0.0)
            app_ms = statistics.fmean(run.app_cpu_ms) if run.app_cpu_ms else 0.0
            statements = statistics.fmean(run.statements) if run.statements else 0.0
            client_ms /= done
            ceiling = CORES * 1000 / (worker_ms + db_ms) if worker_ms + db_ms else 0.0
            shared = CORES * 1000 / (worker_ms + db_ms + client_ms) if worker_ms + db_ms else 0.0
            rate = done / run.seconds
            print(f"{kind:10} {label:10} {done:5} лидов за {run.seconds:6.2f} с: {rate:7.1f} лидов/с"
                  f"{f', отказов {len(run.failures)}' if run.failures else ''}   цель ≥ 100 лидов/с   "
                  f"(load {load:.1f})", flush=True)
            print(f"{'':10} CPU на лид: воркеры {worker_ms:.1f} мс (приложение {app_ms:.1f}), "
                  f"PostgreSQL {db_ms:.1f} мс, клиенты {client_ms:.1f} мс; SQL-запросов {statements:.1f}; "
                  f"потолок {CORES} ядер ≈ {ceiling:.0f} лидов/с (с клиентами на тех же ядрах {shared:.0f})",
                  flush=True)
            check(not run.failures, f"{len(run.failures)} лидов не принято")
    _check_stored(app, kind, posted)


def _check_stored(app: Flask, kind: str, expected: int) -> None:
    """Every accepted lead is stored, routed, linked to its process, with its open task and notification."""
    with app.app_context():
        if sabotaged():  # one accepted lead is lost: the check below must notice
            db.session.execute(delete(Lead).where(Lead.id == db.session.scalar(select(func.max(Lead.id)))))
        total = db.session.scalar(select(func.count(Lead.id)))
        unrouted = db.session.scalar(select(func.count(Lead.id)).where(
            (Lead.assigned_to_id.is_(None)) | (Lead.instance_id.is_(None))))
        tasks = db.session.scalar(select(func.count(HumanTask.id)).where(HumanTask.status == TaskStatus.OPEN))
        notices = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.kind == "lead_assigned"))
        db.session.remove()
        db.engine.dispose()
    print(f"{kind:10} лидов {total}, без менеджера или процесса {unrouted}, открытых задач «Связаться с "
          f"клиентом» {tasks}, уведомлений «новый лид» {notices}", flush=True)
    check(total == expected and unrouted == 0 and tasks == expected and notices == expected,
          f"лидов {total} (ждали {expected}), без маршрута {unrouted}, задач {tasks}, уведомлений {notices}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.leads", description=__doc__)
    parser.add_argument("--leads", type=int, default=300, help="leads per run (one client, then several)")
    parser.add_argument("--threads", type=int, default=4, help="concurrent clients of the second run")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    on_both_databases(
        PG_NAME,
        lambda kind, url, tmp: _measure(kind, url, tmp, args.leads, args.threads),
        skip_postgres=args.skip_postgres,
        skip_sqlite=args.skip_sqlite,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
