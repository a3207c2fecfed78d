"""Leads per second through the public intake, routing and the manager's first task.

For SQLite (a temporary file) and PostgreSQL (database ``crm_bench_leads`` on
``CRM_BENCH_PG_URL`` or the test server, created and dropped here), the schema comes
from the Alembic migrations, the shipped processes are deployed, and leads are posted
to ``POST /intake/lead`` through the WSGI app: each one is stored, matched against the
client base, routed by the DMN tables and the least-load rule, and gets its «Связаться
с клиентом» task, all in the request's transaction. Printed: leads/s from one client
and from several threads at once, and the share of leads that have their task.
"""

from __future__ import annotations

import argparse
import threading
import time
from pathlib import Path

from sqlalchemy import delete, func, select

from bench.common import check, deployed_app, on_both_databases, sabotaged
from engine.tables import HumanTask
from models.platform.db import db
from models.sales.leads import Lead
from models.sales.routing import ensure_default_teams

PG_NAME = "crm_bench_leads"
TERRITORIES = (("Москва", "Логистика"), ("Казань", "Торговля"), (None, None))


def _post(client, n: int, worker: int) -> int:
    territory, industry = TERRITORIES[n % len(TERRITORIES)]
    body = {"consent": True, "name": f"Бенч {worker}-{n}", "company": f"ООО «Бенч {worker}-{n}»",
            "phone": f"+7916{worker:03d}{n:04d}", "email": f"b{worker}_{n}@bench.ru"}
    if territory:
        body.update(territory=territory, industry=industry)
    answer = client.post("/intake/lead", json=body, environ_base={"REMOTE_ADDR": f"10.0.{worker}.1"})
    return answer.status_code


def _run(app, leads: int, threads: int) -> tuple[float, int]:
    failures = []

    def work(worker: int) -> None:
        client = app.test_client()
        for n in range(leads // threads):
            status = _post(client, n, worker)
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
    app = deployed_app(url, instance, prepare=ensure_default_teams, intake_rate_per_minute=10**9)
    _run(app, 10, 1)  # warm-up: caches of specs and forms
    for label, n_threads in (("1 поток", 1), (f"{threads} потока", threads)):
        seconds, failed = _run(app, leads, n_threads)
        print(f"{kind:10} {label:10} {leads:5} лидов за {seconds:6.2f} с: {leads / seconds:7.1f} лидов/с"
              f"{f', отказов {failed}' if failed else ''}", flush=True)
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
    args = parser.parse_args(argv)
    on_both_databases(
        PG_NAME,
        lambda kind, url, tmp: _measure(kind, url, tmp, args.leads, args.threads),
        skip_postgres=args.skip_postgres,
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
