"""Dashboard tiles and reports at 1,000,000 deals and 5,000,000 activities, on SQLite and PostgreSQL.

Generates 100,000 clients, 1,000,000 deals over three years in the company funnel (open, won, lost),
two stage entries per deal and 5,000,000 activities in a SQLite file and in the PostgreSQL database
``crm_bench_reports`` (schemas by the Alembic migrations, removed afterwards; with ``--keep`` both
are kept — the SQLite file in ``/tmp/crm-bench-reports`` — and a later ``--keep`` run of the same
size reuses them: it applies new migrations, rebuilds the summaries when the schema moved on, and
measures; ``--drop`` removes them). The rows are made by the database itself — ``INSERT … SELECT``
over a series (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL) with deterministic
per-row pseudo-random values, identical on both — so nothing crosses the wire row by row; secondary
indexes are dropped before and rebuilt after the load, then the summaries filled by
``models.reports.rebuild.rebuild_summaries`` (what the session hook keeps up to date in normal work)
and ANALYZE. Then every dashboard tile (``models.reports.dashboard.TILES``), the dashboard page's
shell and each of its parts (the page fetches every part by its own request) and custom reports are
timed for the head (everyone), a senior manager (the department) and a
manager (own), and p50/p95 printed beside the target p95 < 1 s with the ratio. Results are checked
against direct queries on the deal table first, so a fast wrong answer fails instead of printing
figures.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from bench._reports_http import measure_page
from bench.common import check, sabotaged
from models.identity.demo import ensure_demo_users
from models.identity.users import Department, User
from models.reports.custom import run_report
from models.reports.dashboard import TILES
from models.reports.pages import PARTS, dashboard_part, dashboard_shell
from models.reports.rebuild import rebuild_summaries
from models.reports.scope import owner_ids, parse_filter
from models.sales.deals import Deal
from models.sales.funnels import Funnel, LossReason, StageOutcome, ensure_default_funnels
from models.sales.queries import flag_condition

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "crm_bench_reports"
TARGET_MS = 1000.0
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
START = NOW - timedelta(days=3 * 365)
PRODUCTS = ("ДМС", "КАСКО", "ОСАГО", "Имущество", "Грузы", "Ответственность", "НС")
INDUSTRIES = ("Логистика", "Строительство", "Торговля", "Производство", "ИТ", "Энергетика")
KINDS = ("call", "call", "meeting", "email", "note")
TABLES = ("client", "deal", "deal_stage_history", "activity")
WORK = Path("/tmp/crm-bench-reports")


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


# Pseudo-random but deterministic per row and the same on both databases: (n * m + c) mod a prime,
# one multiplier per attribute, computed by the database itself (no rows cross the wire).
_P = 2147483647


def _r(m: int, c: int, n: str = "n") -> str:
    return f"(({n} * {m} + {c}) % {_P})"


def _case(expr: str, values: tuple[str, ...]) -> str:
    return "CASE " + expr + " " + " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values)) + " END"


class Sql:
    """The few expressions that differ: the row series, epoch seconds → timestamp or date."""

    def __init__(self, kind: str) -> None:
        self.pg = kind == "postgresql"

    def series(self, count: int) -> str:
        if self.pg:
            return f"(SELECT x::bigint AS n FROM generate_series(1, {count}) AS x)"
        return (f"(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {count}) "
                "SELECT n FROM c)")

    def ts(self, epoch: str) -> str:
        if self.pg:
            return f"to_timestamp({epoch})"
        return f"(strftime('%Y-%m-%d %H:%M:%S', {epoch}, 'unixepoch') || '.000000')"

    def js(self, text: str) -> str:
        return f"({text})::json" if self.pg else text

    def day(self, epoch: str) -> str:
        return f"to_timestamp({epoch})::date" if self.pg else f"date({epoch}, 'unixepoch')"


def generated_statements(sql: Sql, w: World, *, clients: bool = True) -> list[str]:
    """The generator's statements; ``clients=False`` when the clients are already there (ids 1…N,
    ``bench/web.py`` loads them through the import's own loader)."""
    now, start = int(NOW.timestamp()), int(START.timestamp())
    span, owners = now - start, len(w.owners)
    stages = w.open
    client_rows = f"""INSERT INTO client (id, kind, full_name, industry, status, tags, owner_id, registry_flag, created_at,
            updated_at, search_name)
            SELECT n, 'company', 'ООО «Клиент ' || n || '»', {_case(f"{_r(48271, 1)} % 6", INDUSTRIES)}, 'active', {sql.js("'[]'")},
              o.user_id, ({_r(16807, 2)} % 100 = 0), {sql.ts(f"{start} + {_r(69621, 3)} % {span}")},
              {sql.ts(f"{start} + {_r(69621, 3)} % {span}")}, 'клиент ' || n
            FROM {sql.series(w.clients)} AS s JOIN bench_owner o ON o.k = {_r(39373, 4)} % {owners}"""  # noqa: E501
    products = _case(f"{_r(9029, 5)} % 7", PRODUCTS)
    products2 = _case(f"({_r(9029, 5)} % 7 + 1 + {_r(7919, 3)} % 6) % 7", PRODUCTS)
    lines = f"'[\"' || {products} || '\", \"' || {products2} || '\"]'"
    base = f"""SELECT n, {start} + {_r(48271, 11)} % {span} AS c, {_r(39373, 5)} % 117 AS cd, {_r(1301, 7)} % 86400 AS cs,
        {_r(16807, 3)} % 100 AS roll, {_r(40692, 9)} % 100 AS win, {_r(69621, 7)} % {len(stages)} AS sk,
        {_r(50331, 13)} % {owners} AS ok, (30 + {_r(22695477, 1)} % 2970) * 1000 AS prem,
        (10 + {_r(65539, 17)} % 140) AS cdays, {_r(33391, 19)} % 50 AS frac, {_r(11003, 23)} % 20 AS quiet,
        {_r(2731, 29)} % 5 AS has_offer, {_r(4021, 31)} % 35 AS offer_in, 1 + {_r(6007, 37)} % {w.clients} AS client,
        {_r(8191, 41)} % {len(w.reasons)} AS rk, {lines} AS lines FROM {sql.series(w.deals)} AS s"""  # noqa: E501
    dealt = f"""SELECT b.*, b.c + (3 + b.cd) * 86400 + b.cs AS cl,
        (b.c + (3 + b.cd) * 86400 + b.cs >= {now} OR b.roll < 35) AS is_open FROM ({base}) AS b"""
    first = w.first.id
    entered = f"CASE WHEN st.stage_id = {first} THEN d.c ELSE min_e END"
    return [
        "CREATE TABLE bench_owner (k INTEGER PRIMARY KEY, user_id INTEGER)",
        "INSERT INTO bench_owner VALUES " + ",".join(f"({k}, {u})" for k, u in enumerate(w.owners)),
        "CREATE TABLE bench_stage (k INTEGER PRIMARY KEY, stage_id INTEGER, probability INTEGER)",
        "INSERT INTO bench_stage VALUES "
        + ",".join(f"({k}, {s.id}, {s.probability})" for k, s in enumerate(stages)),
        "CREATE TABLE bench_reason (k INTEGER PRIMARY KEY, reason_id INTEGER)",
        "INSERT INTO bench_reason VALUES " + ",".join(f"({k}, {r})" for k, r in enumerate(w.reasons)),
        *([client_rows] if clients else []),
        f"""INSERT INTO deal (id, title, client_id, funnel_id, stage_id, owner_id, status, premium, probability,
            expected_close_date, product_lines, competitor_offers, offer_expires_on, contract_premium,
            loss_reason_id, stage_entered_at, last_activity_at, created_at, closed_at)
          SELECT d.n, 'Сделка ' || d.n, d.client, {w.funnel_id},
            CASE WHEN d.is_open THEN st.stage_id WHEN d.win < 60 THEN {w.won.id} ELSE {w.lost.id} END,
            o.user_id, CASE WHEN d.is_open THEN 'open' WHEN d.win < 60 THEN 'won' ELSE 'lost' END, d.prem,
            CASE WHEN d.is_open THEN st.probability WHEN d.win < 60 THEN 100 ELSE 0 END,
            {sql.day("d.c + d.cdays * 86400")}, {sql.js("d.lines")}, {sql.js("'[]'")},
            CASE WHEN d.is_open AND d.has_offer = 0 THEN {sql.day(f"{now} + (d.offer_in - 5) * 86400")} END,
            CASE WHEN NOT d.is_open AND d.win < 60 THEN d.prem END,
            CASE WHEN NOT d.is_open AND d.win >= 60 THEN r.reason_id END,
            {sql.ts(f"CASE WHEN NOT d.is_open THEN d.cl ELSE {entered.replace('min_e', f'CASE WHEN d.c + (d.cl - d.c) * d.frac / 100 > {now - 3600} THEN {now - 3600} ELSE d.c + (d.cl - d.c) * d.frac / 100 END')} END")},
            {sql.ts(f"CASE WHEN NOT d.is_open THEN d.cl WHEN d.c + d.quiet * 86400 > {now} THEN {now} ELSE d.c + d.quiet * 86400 END")},
            {sql.ts("d.c")}, CASE WHEN NOT d.is_open THEN {sql.ts("d.cl")} END
          FROM ({dealt}) AS d JOIN bench_owner o ON o.k = d.ok JOIN bench_stage st ON st.k = d.sk
          JOIN bench_reason r ON r.k = d.rk""",  # noqa: E501
        f"""INSERT INTO deal_stage_history (deal_id, stage_id, entered_at, left_at)
          SELECT id, {first}, created_at, CASE WHEN stage_id = {first} THEN NULL ELSE stage_entered_at END
          FROM deal""",
        f"""INSERT INTO deal_stage_history (deal_id, stage_id, entered_at, left_at)
          SELECT id, stage_id, stage_entered_at, NULL FROM deal WHERE stage_id <> {first}""",
        f"""INSERT INTO activity (kind, subject, happened_at, deal_id, user_id, created_at)
          SELECT {_case(f"{_r(48271, 7)} % 5", KINDS)}, 'Контакт с клиентом',
            {sql.ts(f"{start} + {_r(16807, 8)} % {span}")}, 1 + {_r(69621, 9)} % {w.deals}, o.user_id,
            {sql.ts(f"{start} + {_r(16807, 8)} % {span}")}
          FROM {sql.series(w.activities)} AS s JOIN bench_owner o ON o.k = {_r(39373, 10)} % {owners}""",
        "DROP TABLE bench_owner",
        "DROP TABLE bench_stage",
        "DROP TABLE bench_reason",
    ]


def _indexes(cur, pg: bool) -> list[tuple[str, str]]:
    if pg:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT LIKE 'pk_%%'",
            (list(TABLES),),
        )
        return list(cur.fetchall())
    names = ",".join(f"'{t}'" for t in TABLES)
    return list(
        cur.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({names})"
        ).fetchall()
    )


def load_generated(engine, kind: str, w: World, *, clients: bool = True) -> None:
    """Generate the rows inside the database (INSERT … SELECT over a series), secondary indexes after."""
    sql = Sql(kind)
    raw = engine.raw_connection()
    cur = raw.cursor()
    indexes = _indexes(cur, sql.pg)
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    if not sql.pg:
        cur.execute("PRAGMA synchronous=OFF")
    for statement in generated_statements(sql, w, clients=clients):
        cur.execute(statement)
    if sql.pg:
        for table in TABLES:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute("SET maintenance_work_mem = '512MB'")
    raw.commit()
    for _name, statement in indexes:
        cur.execute(statement)
    if not sql.pg:
        cur.execute("PRAGMA synchronous=NORMAL")
    raw.commit()
    raw.close()


def analyze(engine, kind: str) -> None:
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


def _check(session: Session, head: User, senior: User) -> None:
    """Tiles agree with direct queries on the deals before anything is timed."""
    f = parse_filter({"period": "quarter"}, NOW)
    begin, end = f.period.utc_bounds()
    if sabotaged():  # a won deal of the quarter turns lost behind the summaries' back
        first = session.scalar(select(func.min(Deal.id)).where(
            Deal.status == "won", Deal.closed_at >= begin, Deal.closed_at < end))
        session.execute(update(Deal).where(Deal.id == first).values(status="lost"))
    outcomes = TILES["outcomes"](session, None, f, NOW)
    won = session.scalar(
        select(func.count())
        .select_from(Deal)
        .where(Deal.status == "won", Deal.closed_at >= begin, Deal.closed_at < end)
    )
    check(outcomes.won == won and won > 0, f"плитка «Итоги»: выиграно {outcomes.won}, в сделках {won}")
    month, _ = TILES["forecast"](session, None, f, NOW)
    pipeline = session.scalar(
        select(func.sum(Deal.premium)).where(
            Deal.status == "open",
            Deal.expected_close_date >= date(2026, 11, 1),
            Deal.expected_close_date < date(2026, 12, 1),
        )
    )
    check(month.pipeline == pipeline, f"прогноз месяца {month.pipeline}, в сделках {pipeline}")
    by_owner = run_report(session, head, "deals", REPORTS[0][1])
    total = sum((row[1] or 0 for row in by_owner.rows), Decimal(0))
    premium = session.scalar(select(func.sum(Deal.premium)))
    check(total == premium and len(by_owner.rows) > 1,
          f"отчёт «премия по менеджерам» {total}, в сделках {premium}")
    owners = owner_ids(session, senior, f)
    for flag in ("stuck", "no_activity"):  # the day buckets against the deals list's own condition
        kept = TILES[flag](session, owners, f, NOW)
        direct = session.scalar(select(func.count()).select_from(Deal).where(
            flag_condition(session, flag, NOW), Deal.owner_id.in_(owners or [])))
        check(kept == direct and kept > 0, f"плитка «{flag}» старшего: {kept}, в сделках {direct}")


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


REPORTS = (
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
)


def _measure(session: Session, runs: int, only: str = "") -> None:
    users = {
        u.login: u for u in session.scalars(select(User).where(User.login.in_(("head", "senior", "bench7"))))
    }
    _check(session, users["head"], users["senior"])

    def timed(name: str, call: Callable[[], object], times: int) -> None:
        if only in name:
            print(_line(name, _timed(session, call, times)), flush=True)

    for login, who in (("head", "руководитель"), ("senior", "старший"), ("bench7", "менеджер")):
        user = users[login]
        for period in ("month", "quarter"):
            f = parse_filter({"period": period}, NOW)
            owners = owner_ids(session, user, f)
            for name, tile in TILES.items():
                timed(f"{who} {period} {name}", lambda t=tile, o=owners, f=f: t(session, o, f, NOW), runs)
        page = max(5, runs // 4)  # the page on screen: the shell, then every part by its own request
        timed(f"{who} dashboard shell", lambda u=user: dashboard_shell(session, u, {}, NOW), page)
        for part in PARTS:
            timed(f"{who} part {part}", lambda u=user, p=part: dashboard_part(session, u, p, {}, NOW), page)
        for title, definition in REPORTS:
            timed(
                f"{who} report: {title}",
                lambda u=user, d=definition: run_report(session, u, "deals", d),
                max(5, runs // 4),
            )


def _run(kind: str, url: str, tmp: Path, args: argparse.Namespace) -> None:
    from alembic import command
    from alembic.migration import MigrationContext

    from models.platform.db import db
    from models.platform.settings import Settings
    from web import create_app

    app = create_app(
        Settings(database_url=url, secret_key="bench", env="test", instance_dir=tmp, scheduler=False)
    )
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            before = set(MigrationContext.configure(conn).get_current_heads())
            loaded = conn.execute(text("SELECT count(*) FROM deal")).scalar() if before else 0
        if loaded and loaded != args.deals:
            raise SystemExit(f"[{kind}] the kept database holds {loaded:,} deals: run with --drop first")
        command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
        with engine.connect() as conn:
            after = set(MigrationContext.configure(conn).get_current_heads())
    if not loaded:
        with Session(engine) as session:
            world = World(session, args.deals, args.activities)
        started = time.perf_counter()
        load_generated(engine, kind, world)
        print(f"[{kind}] {args.deals:,} deals, {args.activities:,} activities loaded and indexed in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    if not loaded or before != after or args.rebuild:
        started = time.perf_counter()
        with Session(engine) as session:
            counts = rebuild_summaries(session, marks=False)  # the BI feed is not what is measured
            session.commit()
        summarised = time.perf_counter()
        analyze(engine, kind)
        print(f"[{kind}] summaries rebuilt in {summarised - started:.0f} s, analyzed in "
              f"{time.perf_counter() - summarised:.0f} s: {counts}", flush=True)
    else:
        print(f"[{kind}] {loaded:,} deals already loaded (kept database)", flush=True)
    if not args.load_only:
        # The app, SQLAlchemy and the load leave ~280,000 long-lived objects in this process; a full
        # collection walking them took 300 ms at load 10 and landed inside single timed runs
        # (the hot deals', a manager's report). Frozen, they are not walked again: what is timed is
        # the tile's own work and its own garbage, as in a server worker after start-up.
        gc.collect()
        gc.freeze()
        with Session(engine) as session:
            _measure(session, args.runs, args.only)
        if not args.only or args.only == "HTTP":  # the page as a browser waits for it (``_reports_http``)
            logins = {"head": "руководитель", "senior": "старший", "bench7": "менеджер"}
            measure_page(engine, url, tmp, logins, args.runs, _line)
    engine.dispose()


def main(argv: list[str]) -> None:
    """``python -m bench reports [--deals N] [--activities N] [--runs N] [--db …] [--keep] [--drop]``."""
    parser = argparse.ArgumentParser(prog="bench reports")
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg-db", default=PG_DB, help="name of the PostgreSQL database made for the run")
    parser.add_argument("--keep", action="store_true", help="keep the databases and reuse kept ones")
    parser.add_argument("--drop", action="store_true", help="remove the kept databases and stop")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the summaries of a kept database")
    parser.add_argument("--load-only", action="store_true", help="load (or upgrade) and stop")
    parser.add_argument("--only", default="", help="time only the lines containing this text "
                        "(HTTP: only the page over HTTP)")
    args = parser.parse_args(argv)
    sqlite_file = WORK / f"reports-{args.deals}-{args.activities}.db"
    if args.drop:
        sqlite_file.unlink(missing_ok=True)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        return
    with tempfile.TemporaryDirectory(prefix="crm-bench-reports-") as tmp:
        if args.db in ("sqlite", "both"):
            if args.keep:
                WORK.mkdir(parents=True, exist_ok=True)
            path = sqlite_file if args.keep else Path(tmp) / "bench.db"
            _run("sqlite", f"sqlite:///{path}", Path(tmp), args)
        if args.db in ("postgresql", "both"):
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.pg_db,))
                if not (args.keep and exists.fetchone()):
                    conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                    conn.execute(f'CREATE DATABASE "{args.pg_db}"')
            try:
                url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.pg_db}"
                _run("postgresql", url, Path(tmp), args)
            finally:
                if not args.keep:
                    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
