"""The daily renewal trigger over 100 000 contracts, 1 000 of them due, on SQLite and PostgreSQL.

Loads 10 000 companies with 100 000 contracts in bulk (1 000 КАСКО contracts ending within their
45-day window, the rest ending beyond every window or already ended), then measures, each step in
its own transaction as the scheduler runs it:

1. the trigger run: ``renewal_trigger`` (the DMN of windows + ``contracts.queue_due``: one
   INSERT … SELECT … ON CONFLICT DO NOTHING over the book);
2. starting the queued renewals: the job ``contracts_renewals`` (each ``renewal.bpmn`` with its
   deal, tasks, risk assessment and notification in its own unit of work) until none is left;
3. a second trigger run the same day, which must queue and start nothing.

The baseline is the bare SELECT of the due contracts (what any trigger must at least read); the
run checks its results (1 000 queued, 1 000 processes and deals, then 0) before printing figures.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bench.common import check, deployed_app, on_both_databases, sabotaged
from engine.tables import ProcessInstance
from models.clients.cards import Client
from models.contracts.contracts import Contract, ContractStatus
from models.contracts.renewals import ContractRenewal, RenewalStatus
from models.contracts.trigger import due_contracts, start_queued
from models.identity.users import User
from models.platform.clock import SystemClock
from models.platform.db import db
from models.sales.deals import Deal
from web.engine_support import engine_services
from web.scheduler import job_context

PG_NAME = "crm_bench_contracts"
OTHER = ("ДМС", "Имущество", "Грузы", "НС", "ОСАГО", "Ответственность", "КАСКО")
WINDOWS = {"КАСКО": 45, "ДМС": 60, "Имущество": 30, "ОСАГО": 30, "НС": 30, "Грузы": 45, "Ответственность": 45}


def _book(session: Session, clients: int, contracts: int, due: int, today: date) -> None:
    rng = random.Random(12)
    owners = list(session.scalars(select(User.id).where(User.login.in_(("manager", "manager2", "manager3")))))
    ids = list(
        session.scalars(
            insert(Client).returning(Client.id),
            [
                {
                    "kind": "company",
                    "full_name": f"ООО «Бенч {n}»",
                    "segment": "Средний",
                    "owner_id": owners[n % 3],
                    "status": "active",
                    "tags": [],
                    "search_name": f"бенч {n}",
                }
                for n in range(clients)
            ],
        )
    )
    rows = []
    for n in range(contracts):
        if n < due:
            product, ends = "КАСКО", today + timedelta(days=rng.randint(1, 45))
        elif n % 10 == 0:
            product, ends = OTHER[n % 7], today - timedelta(days=rng.randint(1, 700))  # ended long ago
        else:
            product, ends = OTHER[n % 7], today + timedelta(days=rng.randint(61, 420))  # beyond every window
        rows.append(
            {
                "number": f"Б-{n:06d}",
                "product": product,
                "client_id": ids[n % clients],
                "owner_id": owners[n % 3],
                "starts_on": ends - timedelta(days=364),
                "ends_on": ends,
                "premium": Decimal(rng.randrange(50, 3000) * 1000),
                "insured_sum": None,
                "status": ContractStatus.ACTIVE if ends >= today else ContractStatus.ENDED,
            }
        )
    for chunk in range(0, len(rows), 5000):
        session.execute(insert(Contract), rows[chunk : chunk + 5000])
    session.commit()


def _count(factory: sessionmaker, stmt) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _trigger(app, factory: sessionmaker) -> tuple[float, int]:
    """One run of ``renewal_trigger`` in its own transaction; (seconds, contracts queued)."""
    services = engine_services(app)
    with factory() as session:
        started = time.perf_counter()
        instance = services.engine(session).start("renewal_trigger", {})
        session.commit()
        took = time.perf_counter() - started
        assert instance.status == "completed", instance.status
    return took, _count(
        factory, select(ContractRenewal.id).where(ContractRenewal.status == RenewalStatus.QUEUED)
    )


def _measure(kind: str, url: str, instance: Path, clients: int, contracts: int, due: int) -> None:
    app = deployed_app(url, instance)
    today = SystemClock().now().date()
    with app.app_context():
        factory = sessionmaker(bind=db.engine, expire_on_commit=False)
        with factory() as session:
            started = time.perf_counter()
            _book(session, clients, contracts, due, today)
            print(
                f"{kind:10} портфель: {clients} клиентов, {contracts} договоров ({due} к продлению) "
                f"за {time.perf_counter() - started:.1f} с",
                flush=True,
            )
        with factory() as session:
            started = time.perf_counter()
            found = session.execute(due_contracts(WINDOWS, today, SystemClock().now())).all()
            baseline = time.perf_counter() - started
        assert len(found) == due, (len(found), due)

        first, queued = _trigger(app, factory)
        assert queued == due, (queued, due)
        context = job_context(app)
        started = time.perf_counter()
        rounds = 0
        while _count(
            factory, select(ContractRenewal.id).where(ContractRenewal.status == RenewalStatus.QUEUED)
        ):
            start_queued(context)
            rounds += 1
        starting = time.perf_counter() - started
        if sabotaged():  # one renewal process disappears: the check below must notice
            with factory.begin() as session:
                first_id = session.scalar(select(func.min(ProcessInstance.id))
                                          .where(ProcessInstance.process_key == "renewal"))
                session.execute(update(ProcessInstance).where(ProcessInstance.id == first_id)
                                .values(process_key="sabotaged"))
        processes = _count(
            factory, select(ProcessInstance.id).where(ProcessInstance.process_key == "renewal")
        )
        deals = _count(factory, select(Deal.id).where(Deal.funnel.has(code="renewal")))
        check(processes == due and deals == due,
              f"процессов продления {processes}, сделок {deals}, ждали {due}")

        second, queued_again = _trigger(app, factory)
        started_again = start_queued(context)
        assert queued_again == 0 and started_again == 0
        assert (
            _count(factory, select(ProcessInstance.id).where(ProcessInstance.process_key == "renewal")) == due
        )
        print(
            f"{kind:10} запуск триггера: {first * 1000:.0f} мс (база — SELECT к продлению: "
            f"{baseline * 1000:.0f} мс, ×{first / baseline:.1f}); поставлено в очередь {queued}",
            flush=True,
        )
        print(
            f"{kind:10} старт {due} процессов продления: {starting:.1f} с ({due / starting:.0f} процессов/с, "
            f"{starting / due * 1000:.1f} мс на процесс, {rounds} тиков задания)",
            flush=True,
        )
        print(
            f"{kind:10} повторный запуск в тот же день: {second * 1000:.0f} мс, поставлено 0, запущено 0",
            flush=True,
        )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.contracts", description=__doc__)
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--contracts", type=int, default=100000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    on_both_databases(
        PG_NAME,
        lambda kind, url, tmp: _measure(kind, url, tmp, args.clients, args.contracts, args.due),
        skip_postgres=args.skip_postgres,
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
