"""Discount sign-off: asking, the approver's context panel and deciding, on a broker-sized history.

For SQLite (a temporary file) and PostgreSQL (database ``crm_bench_discounts`` on
``CRM_BENCH_PG_URL`` or the test server, created and dropped here), the schema comes from
the Alembic migrations and the shipped processes are deployed. ``--clients`` companies get
three years of policies (five a year by default) and claims, loaded in bulk; then for
``--requests`` deals, each step runs in its own session and transaction, like a request:

- ask: ``request_discount`` — the tariff table, the client's loss ratio, the process start,
  the authority table, the route and the approver's notice;
- panel: ``signoff_context`` — what the approver's task page shows above the form (history
  by year, LTV and cross-sell, competitors, margin, the manager's earlier requests);
- decide: ``decide_request`` — the approval written onto the deal, the manager told.

Printed per step: operations per second and p50/p95 latency in ms. Every request is checked
to end approved at the level the table chose, so a fast but wrong run fails.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bench.common import check, deployed_app, on_both_databases, sabotaged
from models.clients.cards import Client
from models.discounts.pages import signoff_context
from models.discounts.requests import DiscountRequest
from models.discounts.service import DECIDE_TASKS, decide_request, open_task, request_discount
from models.identity.users import User
from models.insurance.policies import Claim, Policy
from models.platform.clock import SystemClock
from models.platform.db import db
from models.sales.deals import open_deal
from models.sales.funnels import funnel_by_code
from web.engine_support import engine_services

PG_NAME = "crm_bench_discounts"
PRODUCTS = ("КАСКО", "ДМС", "Имущество", "Грузы", "НС")
SEGMENTS = ("Крупный", "Средний", "Малый")


def _history(session: Session, clients: int, per_year: int, today: date) -> list[int]:
    """``clients`` companies with policies (``per_year`` a year, three years) and claims, in bulk."""
    rng = random.Random(11)
    owner = session.scalar(select(User.id).where(User.login == "manager"))
    ids = list(
        session.scalars(
            insert(Client).returning(Client.id),
            [
                {
                    "kind": "company",
                    "full_name": f"ООО «Бенч {n}»",
                    "segment": SEGMENTS[n % 3],
                    "owner_id": owner,
                    "status": "active",
                    "tags": [],
                    "search_name": f"бенч {n}",
                }
                for n in range(clients)
            ],
        )
    )
    policies, claims = [], []
    for client_id in ids:
        for year in range(today.year - 2, today.year + 1):
            for k in range(per_year):
                start = date(year, 1 + (k * 2) % 12, 1 + k)
                premium = Decimal(rng.randrange(50, 3000) * 1000)
                policies.append(
                    {
                        "client_id": client_id,
                        "number": f"Б-{client_id}-{year}-{k}",
                        "product": PRODUCTS[k % len(PRODUCTS)],
                        "premium": premium,
                        "starts_on": start,
                        "ends_on": start + timedelta(days=364),
                        "status": "active",
                    }
                )
                if rng.random() < 0.4:
                    claims.append(
                        {
                            "client_id": client_id,
                            "number": f"БУ-{client_id}-{year}-{k}",
                            "product": PRODUCTS[k % len(PRODUCTS)],
                            "occurred_on": start + timedelta(days=40),
                            "paid": premium * Decimal("0.5"),
                            "reserved": Decimal("0"),
                            "status": "settled",
                        }
                    )
    for chunk in range(0, len(policies), 5000):
        session.execute(insert(Policy), policies[chunk : chunk + 5000])
    for chunk in range(0, len(claims), 5000):
        session.execute(insert(Claim), claims[chunk : chunk + 5000])
    session.commit()
    return ids


def _timed(factory: sessionmaker, items: list, work: Callable[[Session, object], None]) -> list[float]:
    """Run ``work`` for each item in a session and transaction of its own; latencies in ms."""
    times = []
    for item in items:
        with factory() as session:
            started = time.perf_counter()
            work(session, item)
            session.commit()
            times.append((time.perf_counter() - started) * 1000)
    return times


def _report(kind: str, label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{kind:10} {label:8} {len(times):5} × {1000 * len(times) / sum(times):7.1f}/с  "
        f"p50 {statistics.median(times):6.1f} мс  p95 {p95:6.1f} мс",
        flush=True,
    )


def _measure(kind: str, url: str, instance: Path, clients: int, per_year: int, requests: int) -> None:
    app = deployed_app(url, instance)
    services = engine_services(app)
    clock = SystemClock()
    today = clock.now().date()
    with app.app_context():
        factory = sessionmaker(bind=db.engine, expire_on_commit=False)
        with factory() as session:
            started = time.perf_counter()
            ids = _history(session, clients, per_year, today)
            print(
                f"{kind:10} история: {clients} клиентов, {clients * per_year * 3} полисов за "
                f"{time.perf_counter() - started:.1f} с",
                flush=True,
            )
            funnel = funnel_by_code(session, "company")
            manager = session.scalar(select(User).where(User.login == "manager"))
            deals = []
            for client_id in ids[:requests]:
                deal = open_deal(
                    session,
                    client=session.get(Client, client_id),
                    funnel=funnel,
                    owner_id=manager.id,
                    now=clock.now(),
                    amount=Decimal("40000000"),
                    product_lines=["КАСКО"],
                )
                deals.append(deal.id)
            session.commit()

        def ask(session: Session, deal_id: object) -> None:
            user = session.scalar(select(User).where(User.login == "manager"))
            done = request_discount(
                session,
                services.engine(session),
                user,
                int(deal_id),  # type: ignore[arg-type]
                {"product": "КАСКО", "discount": "15", "justification": "Бенч"},
                clock.now(),
            )
            assert done.request is not None and done.request.level == "head", done.message

        def panel(session: Session, request_id: object) -> None:
            signoff_context(session, session.get(DiscountRequest, request_id), today)

        def decide(session: Session, request_id: object) -> None:
            request = session.get(DiscountRequest, request_id)
            task = open_task(session, request, DECIDE_TASKS)
            head = session.get(User, task.assignee_id)
            decide_request(
                session,
                services.engine(session),
                head,
                request.id,
                {"decision": "approve", "comment": "Согласовано"},
            )

        _report(kind, "запрос", _timed(factory, deals, ask))
        with factory() as session:
            request_ids = list(session.scalars(select(DiscountRequest.id).order_by(DiscountRequest.id)))
        _report(kind, "панель", _timed(factory, request_ids, panel))
        _report(kind, "решение", _timed(factory, request_ids, decide))
        if sabotaged():  # one decision is lost: the check below must notice
            with factory.begin() as session:
                session.execute(update(DiscountRequest).where(DiscountRequest.id == request_ids[0])
                                .values(status="pending"))
        with factory() as session:
            statuses = set(session.scalars(select(DiscountRequest.status)))
            check(statuses == {"approved"} and len(request_ids) == requests,
                  f"{len(request_ids)} запросов, статусы {statuses}")
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench.discounts", description=__doc__)
    parser.add_argument("--clients", type=int, default=20000)
    parser.add_argument("--per-year", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    on_both_databases(
        PG_NAME,
        lambda kind, url, tmp: _measure(kind, url, tmp, args.clients, args.per_year, args.requests),
        skip_postgres=args.skip_postgres,
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
