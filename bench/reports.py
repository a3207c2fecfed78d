"""Dashboard tiles and reports at 1,000,000 deals and 5,000,000 activities, on SQLite and PostgreSQL.

Generates 100,000 clients, 1,000,000 deals over three years in the company funnel (open,
won, lost), two stage entries per deal and 5,000,000 activities, streamed (never held in
memory) into a SQLite file and into the PostgreSQL database ``crm_bench_reports`` (schemas by
the Alembic migrations, removed afterwards): executemany on SQLite and COPY on PostgreSQL,
secondary indexes dropped before and rebuilt after the load, then the summaries filled by
``models.reports.rebuild.rebuild_summaries`` (what the session hook keeps up to date in
normal work) and ANALYZE. Then every dashboard tile (``models.reports.dashboard.TILES``), the
whole dashboard page and custom reports are timed for the head (everyone), a senior manager
(the department) and a manager (own), and p50/p95 printed beside the target p95 < 1 s with
the ratio. Results are checked against direct queries on the deal table first, so a fast
wrong answer fails instead of printing figures.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.identity.demo import ensure_demo_users
from models.identity.users import Department, User
from models.reports.custom import run_report
from models.reports.dashboard import TILES
from models.reports.pages import dashboard_page
from models.reports.rebuild import rebuild_summaries
from models.reports.scope import owner_ids, parse_filter
from models.sales.deals import Deal
from models.sales.funnels import Funnel, LossReason, StageOutcome, ensure_default_funnels

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "crm_bench_reports"
TARGET_MS = 1000.0
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
START = NOW - timedelta(days=3 * 365)
PRODUCTS = ("ДМС", "КАСКО", "ОСАГО", "Имущество", "Грузы", "Ответственность", "НС")
INDUSTRIES = ("Логистика", "Строительство", "Торговля", "Производство", "ИТ", "Энергетика")
KINDS = ("call", "call", "meeting", "email", "note")
TABLES = ("client", "deal", "deal_stage_history", "activity")
CLIENT_COLS = (
    "id",
    "kind",
    "full_name",
    "industry",
    "status",
    "tags",
    "owner_id",
    "registry_flag",
    "created_at",
    "updated_at",
    "search_name",
)
DEAL_COLS = (
    "id",
    "title",
    "client_id",
    "funnel_id",
    "stage_id",
    "owner_id",
    "status",
    "premium",
    "probability",
    "expected_close_date",
    "product_lines",
    "competitor_offers",
    "offer_expires_on",
    "contract_premium",
    "loss_reason_id",
    "stage_entered_at",
    "last_activity_at",
    "created_at",
    "closed_at",
)
HISTORY_COLS = ("deal_id", "stage_id", "entered_at", "left_at")
ACTIVITY_COLS = ("kind", "subject", "happened_at", "client_id", "deal_id", "user_id", "created_at")


class World:
    """Ids the generator needs (owners, stages, reasons) and the sizes asked for."""

    def __init__(self, session: Session, deals: int, activities: int) -> None:
        ensure_demo_users(session, password_hash="bench")
        ensure_default_funnels(session)
        sales = session.scalar(select(Department).where(Department.code == "sales"))
        for i in range(40):
            session.add(
                User(
                    login=f"bench{i}",
                    full_name=f"Менеджер {i:02d}",
                    role="manager",
                    department=sales,
                    password_hash="bench",
                    email=f"bench{i}@bench.local",
                )
            )
        session.commit()
        self.owners = list(
            session.scalars(select(User.id).where(User.role.in_(("manager", "senior_manager"))))
        )
        funnel = session.scalar(select(Funnel).where(Funnel.code == "company"))
        assert funnel is not None
        self.funnel_id = funnel.id
        self.first = funnel.first_stage
        self.open = [s for s in funnel.stages if s.outcome == StageOutcome.OPEN]
        self.won = next(s for s in funnel.stages if s.outcome == StageOutcome.WON)
        self.lost = next(s for s in funnel.stages if s.outcome == StageOutcome.LOST)
        self.reasons = list(session.scalars(select(LossReason.id)))
        self.deals, self.activities, self.clients = deals, activities, max(1000, deals // 10)


def _clients(w: World) -> Iterator[tuple]:
    rng = random.Random(1)
    for i in range(1, w.clients + 1):
        created = START + timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
        yield (
            i,
            "company",
            f"ООО «Клиент {i}»",
            rng.choice(INDUSTRIES),
            "active",
            "[]",
            rng.choice(w.owners),
            rng.random() < 0.01,
            created,
            created,
            f"клиент {i}",
        )


def _deals(w: World) -> Iterator[tuple[tuple, list[tuple]]]:
    """(deal row, its stage entries); the same sequence for both databases."""
    rng = random.Random(2)
    span = int((NOW - START).total_seconds())
    for i in range(1, w.deals + 1):
        created = START + timedelta(seconds=rng.randrange(0, span))
        premium = rng.randrange(30, 3000) * 1000
        lines = json.dumps(rng.sample(PRODUCTS, 2), ensure_ascii=False)
        roll, owner = rng.random(), rng.choice(w.owners)
        closed = created + timedelta(days=rng.randrange(3, 120), seconds=rng.randrange(0, 86400))
        close_date = (created + timedelta(days=rng.randrange(10, 150))).date()
        if closed >= NOW or roll < 0.35:  # still open
            stage = rng.choice(w.open)
            entered = created + (closed - created) * rng.random() * 0.5 if stage.id != w.first.id else created
            entered = min(entered, NOW - timedelta(hours=1))
            last = min(NOW, entered + timedelta(days=rng.randrange(0, 20)))
            offer = (NOW + timedelta(days=rng.randrange(-5, 30))).date() if rng.random() < 0.2 else None
            row = (
                i,
                f"Сделка {i}",
                rng.randrange(1, w.clients + 1),
                w.funnel_id,
                stage.id,
                owner,
                "open",
                premium,
                stage.probability,
                close_date,
                lines,
                "[]",
                offer,
                None,
                None,
                entered,
                last,
                created,
                None,
            )
        else:
            won = rng.random() < 0.6  # of the closed deals, 60 % won
            stage, entered = (w.won if won else w.lost), closed
            row = (
                i,
                f"Сделка {i}",
                rng.randrange(1, w.clients + 1),
                w.funnel_id,
                stage.id,
                owner,
                "won" if won else "lost",
                premium,
                stage.probability,
                close_date,
                lines,
                "[]",
                None,
                premium if won else None,
                None if won else rng.choice(w.reasons),
                closed,
                closed,
                created,
                closed,
            )
        history = [(i, w.first.id, created, None if stage.id == w.first.id else entered)]
        if stage.id != w.first.id:
            history.append((i, stage.id, entered, None))
        yield row, history


def _activities(w: World) -> Iterator[tuple]:
    rng = random.Random(3)
    span = int((NOW - START).total_seconds())
    for _ in range(w.activities):
        happened = START + timedelta(seconds=rng.randrange(0, span))
        deal = rng.randrange(1, w.deals + 1)
        yield (rng.choice(KINDS), "Контакт с клиентом", happened, None, deal, rng.choice(w.owners), happened)


def _chunked(rows: Iterator[tuple], size: int = 50_000) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _sqlite_value(v: object) -> object:
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    return v


def _deal_rows(w: World, history: list[tuple]) -> Iterator[tuple]:
    for deal, entries in _deals(w):
        history.extend(entries)
        yield deal


T0 = [0.0]


def _load_sqlite(engine, w: World) -> None:
    T0[0] = time.perf_counter()
    raw = engine.raw_connection()
    cur = raw.cursor()
    names = ",".join(f"'{t}'" for t in TABLES)
    indexes = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({names})"
    ).fetchall()
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA foreign_keys=OFF")

    def put(table: str, cols: tuple[str, ...], rows: Iterator[tuple]) -> None:
        sql = f"INSERT INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"
        for chunk in _chunked(rows):
            cur.executemany(sql, [tuple(_sqlite_value(v) for v in r) for r in chunk])

    put("client", CLIENT_COLS, _clients(w))
    history: list[tuple] = []
    put("deal", DEAL_COLS, _deal_rows(w, history))
    put("deal_stage_history", HISTORY_COLS, iter(history))
    del history
    put("activity", ACTIVITY_COLS, _activities(w))
    raw.commit()
    print(f"  rows in {time.perf_counter() - T0[0]:.1f} s", flush=True)
    for _name, sql in indexes:
        cur.execute(sql)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    raw.commit()
    raw.close()


def _load_postgres(engine, w: World) -> None:
    raw = engine.raw_connection()
    cur = raw.cursor()
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT LIKE 'pk_%%'",
        (list(TABLES),),
    )
    indexes = cur.fetchall()
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')

    def put(table: str, cols: tuple[str, ...], rows: Iterator[tuple]) -> None:
        with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    put("client", CLIENT_COLS, _clients(w))
    history: list[tuple] = []
    put("deal", DEAL_COLS, _deal_rows(w, history))
    put("deal_stage_history", HISTORY_COLS, iter(history))
    del history
    put("activity", ACTIVITY_COLS, _activities(w))
    for table in TABLES:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    raw.commit()
    cur.execute("SET maintenance_work_mem = '512MB'")
    for _name, sql in indexes:
        cur.execute(sql)
    raw.commit()
    raw.close()


def _analyze(engine, kind: str) -> None:
    if kind == "postgresql":
        with psycopg.connect(
            engine.url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
        ) as conn:
            conn.execute("VACUUM ANALYZE")
        return
    raw = engine.raw_connection()
    raw.cursor().execute("ANALYZE")
    raw.commit()
    raw.close()


def _check(session: Session, head: User) -> None:
    """Tiles agree with direct queries on the deals before anything is timed."""
    f = parse_filter({"period": "quarter"}, NOW)
    outcomes = TILES["outcomes"](session, None, f, NOW)
    begin, end = f.period.utc_bounds()
    won = session.scalar(
        select(func.count())
        .select_from(Deal)
        .where(Deal.status == "won", Deal.closed_at >= begin, Deal.closed_at < end)
    )
    assert outcomes.won == won and won > 0, (outcomes.won, won)
    month, _ = TILES["forecast"](session, None, f, NOW)
    pipeline = session.scalar(
        select(func.sum(Deal.premium)).where(
            Deal.status == "open",
            Deal.expected_close_date >= date(2026, 11, 1),
            Deal.expected_close_date < date(2026, 12, 1),
        )
    )
    assert month.pipeline == pipeline, (month.pipeline, pipeline)


def _timed(session: Session, call: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        session.expire_all()
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _line(name: str, samples: list[float]) -> str:
    p50, p95 = statistics.median(samples), statistics.quantiles(samples, n=20)[18]
    verdict = "ok" if p95 < TARGET_MS else "SLOWER THAN TARGET"
    return (
        f"  {name:<38} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms   target p95 < {TARGET_MS:.0f} ms"
        f"   ratio {p95 / TARGET_MS:5.2f}  {verdict}"
    )


def _measure(session: Session, runs: int) -> None:
    users = {
        u.login: u for u in session.scalars(select(User).where(User.login.in_(("head", "senior", "bench7"))))
    }
    _check(session, users["head"])
    for login, who in (("head", "руководитель"), ("senior", "старший"), ("bench7", "менеджер")):
        user = users[login]
        for period in ("month", "quarter"):
            f = parse_filter({"period": period}, NOW)
            owners = owner_ids(session, user, f)
            for name, tile in TILES.items():
                print(
                    _line(
                        f"{who} {period} {name}",
                        _timed(session, lambda t=tile, o=owners, f=f: t(session, o, f, NOW), runs),
                    ),
                    flush=True,
                )
        print(
            _line(
                f"{who} whole dashboard page",
                _timed(session, lambda u=user: dashboard_page(session, u, {}, NOW), max(5, runs // 4)),
            ),
            flush=True,
        )
        for title, definition in (
            ("premium by manager", {"group_by": ["owner"], "measures": [{"fn": "sum", "field": "premium"}]}),
            (
                "won by close month",
                {
                    "group_by": ["closed_at:month"],
                    "measures": [{"fn": "count"}],
                    "filters": [
                        {"field": "status", "op": "eq", "value": "won"},
                        {"field": "closed_at", "op": "gte", "value": "2026-06-01"},
                    ],
                },
            ),
        ):
            print(
                _line(
                    f"{who} report: {title}",
                    _timed(
                        session,
                        lambda u=user, d=definition: run_report(session, u, "deals", d),
                        max(5, runs // 4),
                    ),
                ),
                flush=True,
            )


def _run(kind: str, url: str, tmp: Path, deals: int, activities: int, runs: int) -> None:
    from alembic import command

    from models.platform.db import db
    from models.platform.settings import Settings
    from web import create_app

    app = create_app(
        Settings(database_url=url, secret_key="bench", env="test", instance_dir=tmp, scheduler=False)
    )
    with app.app_context():
        command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
        engine = db.engine
    with Session(engine) as session:
        world = World(session, deals, activities)
    started = time.perf_counter()
    (_load_sqlite if kind == "sqlite" else _load_postgres)(engine, world)
    loaded = time.perf_counter()
    with Session(engine) as session:
        counts = rebuild_summaries(session)
        session.commit()
    summarised = time.perf_counter()
    _analyze(engine, kind)
    print(
        f"[{kind}] {deals:,} deals, {activities:,} activities loaded and indexed in {loaded - started:.0f} s "
        f"({deals / (loaded - started):,.0f} deals/s with their activities); summaries rebuilt in "
        f"{summarised - loaded:.0f} s: {counts}",
        flush=True,
    )
    with Session(engine) as session:
        _measure(session, runs)
    engine.dispose()


def main(argv: list[str]) -> None:
    """``python -m bench reports [--deals N] [--activities N] [--runs N] [--db sqlite|postgresql|both]``."""
    parser = argparse.ArgumentParser(prog="bench reports")
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-db", default=PG_DB, help="name of the PostgreSQL database made for the run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crm-bench-reports-") as tmp:
        if args.db in ("sqlite", "both"):
            _run(
                "sqlite",
                f"sqlite:///{Path(tmp) / 'bench.db'}",
                Path(tmp),
                args.deals,
                args.activities,
                args.runs,
            )
        if args.db in ("postgresql", "both"):
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{args.pg_db}"')
            try:
                _run(
                    "postgresql",
                    f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.pg_db}",
                    Path(tmp),
                    args.deals,
                    args.activities,
                    args.runs,
                )
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
