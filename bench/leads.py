"""Leads per second through the public intake of the real server, routing and the manager's first task.

For SQLite (a temporary file) and PostgreSQL (database ``crm_bench_leads`` on
``CRM_BENCH_PG_URL`` or the test server, created and dropped here), the schema comes
from the Alembic migrations and the shipped processes are deployed; then ``crm run`` serves
the app (gunicorn, 2 workers × 8 threads, no scheduler) and leads are posted over HTTP to
``POST /intake/lead`` by one client and by several concurrent ones: each lead is stored,
matched against the client base, routed by the DMN tables and the least-load rule, and gets
its «Связаться с клиентом» task, all in the request's transaction. Printed: leads/s per run;
every answer must be 202 and every lead must be stored with its task (checked in the database).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import delete, func, select

from bench.common import check, deployed_app, on_both_databases, sabotaged, served
from engine.tables import HumanTask
from models.platform.db import db
from models.sales.leads import Lead
from models.sales.routing import ensure_default_teams

PG_NAME = "crm_bench_leads"
TERRITORIES = (("Москва", "Логистика"), ("Казань", "Торговля"), (None, None))
SERVER_WORKERS = 2


def _post(http: requests.Session, base: str, n: int, worker: int) -> int:
    territory, industry = TERRITORIES[n % len(TERRITORIES)]
    body = {"consent": True, "name": f"Бенч {worker}-{n}", "company": f"ООО «Бенч {worker}-{n}»",
            "phone": f"+7916{worker:03d}{n:04d}", "email": f"b{worker}_{n}@bench.ru"}
    if territory:
        body.update(territory=territory, industry=industry)
    return http.post(f"{base}/intake/lead", json=body, timeout=60).status_code


def _run(base: str, leads: int, threads: int) -> tuple[float, int]:
    failures = []

    def work(worker: int) -> None:
        with requests.Session() as http:
            for n in range(leads // threads):
                status = _post(http, base, n, worker)
                if status != 202:
                    failures.append(status)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(w + threads * 10,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started, len(failures)


def _measure(kind: str, url: str, instance: Path, leads: int, threads: int) -> None:
    app = deployed_app(url, instance, prepare=ensure_default_teams)
    with app.app_context():
        db.engine.dispose()
    with served(url, instance, workers=SERVER_WORKERS, CRM_INTAKE_RATE_PER_MINUTE=str(10**9)) as (base, _pid):
        _run(base, 10, 1)  # warm-up: the workers' caches of specs and forms
        for label, n_threads in (("1 клиент", 1), (f"{threads} клиента", threads)):
            seconds, failed = _run(base, leads, n_threads)
            print(f"{kind:10} {label:10} {leads:5} лидов за {seconds:6.2f} с: {leads / seconds:7.1f} лидов/с"
                  f"{f', отказов {failed}' if failed else ''}   цель ≥ 100 лидов/с", flush=True)
            check(not failed, f"{failed} лидов не принято")
    with app.app_context():
        if sabotaged():  # one accepted lead is lost: the check below must notice
            db.session.execute(delete(Lead).where(Lead.id == db.session.scalar(select(func.max(Lead.id)))))
        total = db.session.scalar(select(func.count(Lead.id)))
        tasks = db.session.scalar(select(func.count(HumanTask.id)))
        db.session.remove()
        db.engine.dispose()
    print(f"{kind:10} лидов {total}, задач «Связаться с клиентом» {tasks}", flush=True)
    expected = 10 + leads * 2
    check(total == expected and tasks >= expected, f"лидов {total} (ждали {expected}), задач {tasks}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.leads", description=__doc__)
    parser.add_argument("--leads", type=int, default=300)
    parser.add_argument("--threads", type=int, default=4)
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
    import sys

    sys.exit(main(sys.argv[1:]))
