"""The inbox at scale: 1,000,000 process and ad-hoc tasks, 1,000 of them open for one manager.

Measures p50/p95 of that manager's inbox page (``GET /inbox/``: both queries, the counters,
names and the rendered HTML) and of the counters alone, on SQLite and on PostgreSQL, and
prints the ratio of p95 to the 50 ms target. Rows are bulk-loaded (``executemany`` on SQLite,
``COPY`` on PostgreSQL) into a database built by the migrations, then analysed.

``python -m bench inbox`` (part of ``make bench``); ``--rows N`` for a smaller run;
``CRM_BENCH_DATABASE_URL`` names the PostgreSQL server (default: the test server).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from bench.common import check, sabotaged

TARGET_MS = 50.0
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPEN_FOR_USER = 1000
OTHER_USERS = 200
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

HUMAN_COLS = (
    "instance_id",
    "task_uuid",
    "element_id",
    "process_key",
    "title",
    "form",
    "candidate_role",
    "candidate_department",
    "assignee_id",
    "due_at",
    "priority",
    "business_type",
    "business_id",
    "status",
    "created_at",
    "completed_at",
    "completed_by_id",
)
TASK_COLS = (
    "title",
    "assignee_id",
    "department",
    "creator_id",
    "business_type",
    "business_id",
    "due_at",
    "priority",
    "status",
    "is_open",
    "created_at",
    "updated_at",
    "completed_at",
    "completed_by_id",
    "version",
)


def _app(url: str, tmp: Path):
    from models.platform.clock import ManualClock
    from models.platform.settings import Settings
    from web import create_app

    settings = Settings(database_url=url, secret_key="bench", env="test", instance_dir=tmp, scheduler=False)
    return create_app(settings, clock=ManualClock(NOW))


def _prepare(app) -> dict:
    """Migrate, add the demo users and 200 colleagues, deploy the processes, add instances."""
    import alembic.command

    from engine.bundle import Bundle
    from models.identity.demo import ensure_demo_users
    from models.identity.users import User, ensure_departments
    from models.platform.db import db
    from models.platform.settings import PROJECT_ROOT
    from web.engine_support import engine_services

    with app.app_context():
        alembic.command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
        session = db.session
        ensure_demo_users(session, password_hash=generate_password_hash("demo"))
        departments = ensure_departments(session)
        codes = list(departments)
        for i in range(OTHER_USERS):
            session.add(
                User(
                    login=f"bench{i}",
                    full_name=f"Сотрудник {i}",
                    role="manager",
                    department=departments[codes[i % len(codes)]],
                    password_hash="-",
                )
            )
        engine_services(app).engine(session).deploy(
            Bundle.from_paths([PROJECT_ROOT / "processes"], PROJECT_ROOT / "forms"))
        session.commit()
        users = dict(session.execute(select(User.login, User.id)).all())
        definition = session.scalar(text("SELECT id FROM process_definition LIMIT 1"))
    return {"users": users, "definition": definition}


def _rows(total: int, users: dict, instances: int, rng: random.Random):
    """(human rows, ad-hoc rows): 60 % process tasks; most closed; 1,000 open for «manager»."""
    me = users["manager"]
    others = [v for k, v in users.items() if k != "manager"]
    human_total = total * 6 // 10
    mine_open = {"human": OPEN_FOR_USER // 2, "task": OPEN_FOR_USER - OPEN_FOR_USER // 2}

    def due(i: int) -> datetime:
        return NOW + timedelta(minutes=rng.randrange(-30 * 1440, 30 * 1440))

    def human(i: int) -> tuple:
        created = NOW - timedelta(days=rng.randrange(1, 700))
        if i < mine_open["human"]:
            assignee, status, done, by = me, "open", None, None
        elif i < mine_open["human"] + 2000:
            assignee, status, done, by = me, "completed", created + timedelta(hours=5), me
        elif i % 40 == 0:
            assignee, status, done, by = None, "open", None, None  # role queue
        else:
            who = rng.choice(others)
            closed = i % 10 != 0
            assignee, status, done, by = (
                who,
                ("completed" if closed else "open"),
                (created + timedelta(hours=3) if closed else None),
                (who if closed else None),
            )
        return (
            1 + i % instances,
            str(uuid.UUID(int=i + 1)),
            "callback",
            "client_callback",
            "Перезвонить клиенту",
            "client_callback.schema.json",
            "manager",
            None,
            assignee,
            due(i),
            1 + i % 3,
            "client",
            1 + rng.randrange(50000),
            status,
            created,
            done,
            by,
        )

    def adhoc(i: int) -> tuple:
        created = NOW - timedelta(days=rng.randrange(1, 700))
        if i < mine_open["task"]:
            assignee, dept, status, done, by = me, None, "new", None, None
        elif i < mine_open["task"] + 2000:
            assignee, dept, status, done, by = me, None, "done", created + timedelta(hours=2), me
        elif i % 50 == 0:
            assignee, dept, status, done, by = None, "sales", "new", None, None
        else:
            who = rng.choice(others)
            closed = i % 10 != 0
            assignee, dept, status = who, None, ("done" if closed else "in_progress")
            done, by = (created + timedelta(hours=1), who) if closed else (None, None)
        return (
            f"Задача {i}",
            assignee,
            dept,
            users["senior"],
            "deal",
            1 + rng.randrange(80000),
            due(i),
            1 + i % 3,
            status,
            status in ("new", "in_progress"),
            created,
            created,
            done,
            by,
            1,
        )

    return (human(i) for i in range(human_total)), (adhoc(i) for i in range(total - human_total))


def _sqlite_value(v):
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return v


def _load_sqlite(path: str, instances: int, definition: int, human, adhoc) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    now = _sqlite_value(NOW)
    conn.executemany(
        "INSERT INTO process_instance (definition_id, process_key, title, status, state_json, correlation,"
        " started_at, updated_at, version) VALUES (?, 'client_callback', 'Перезвонить клиенту', 'running',"
        " '{}', '{}', ?, ?, 1)",
        ((definition, now, now) for _ in range(instances)),
    )
    for table, cols, rows in (("human_task", HUMAN_COLS, human), ("task", TASK_COLS, adhoc)):
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        conn.executemany(sql, (tuple(_sqlite_value(v) for v in row) for row in rows))
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def _load_postgres(url: str, instances: int, definition: int, human, adhoc) -> None:
    info = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(info) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY process_instance (definition_id, process_key, title, status, state_json,"
                " correlation, started_at, updated_at, version) FROM STDIN"
            ) as copy:
                for _ in range(instances):
                    copy.write_row(
                        (
                            definition,
                            "client_callback",
                            "Перезвонить клиенту",
                            "running",
                            "{}",
                            "{}",
                            NOW,
                            NOW,
                            1,
                        )
                    )
            for table, cols, rows in (("human_task", HUMAN_COLS, human), ("task", TASK_COLS, adhoc)):
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        conn.commit()
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def _measure(app, repeats: int) -> dict[str, tuple[float, float]]:
    from models.identity.users import find_user
    from models.platform.db import db
    from models.tasks.inbox import counters, items, viewer_for

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"login": "manager", "password": "demo", "csrf_token": token})
    results: dict[str, list[float]] = {"inbox page": [], "counters": [], "my tasks query": []}
    for i in range(repeats + 5):
        started = time.perf_counter()
        response = client.get("/inbox/")
        elapsed = (time.perf_counter() - started) * 1000
        rows = response.get_data(as_text=True).count('class="inbox-row"')
        check(response.status_code == 200 and rows == 50,
              f"входящие: код {response.status_code}, строк {rows}")
        if i >= 5:
            results["inbox page"].append(elapsed)
    with app.app_context():
        user = find_user(db.session, "manager")
        viewer = viewer_for(db.session, user, NOW)
        if sabotaged():  # one of the manager's open tasks is closed behind the inbox's back
            db.session.execute(text(
                "UPDATE human_task SET status = 'completed' WHERE id = "
                "(SELECT MIN(id) FROM human_task WHERE assignee_id = :me AND status = 'open')"),
                {"me": user.id})
        mine = counters(db.session, viewer, NOW)["my"]
        check(mine == OPEN_FOR_USER, f"у менеджера {mine} открытых задач, ждали {OPEN_FOR_USER}")
        for i in range(repeats + 5):
            started = time.perf_counter()
            counters(db.session, viewer, NOW)
            middle = time.perf_counter()
            items(db.session, viewer, "my", NOW)
            done = time.perf_counter()
            if i >= 5:
                results["counters"].append((middle - started) * 1000)
                results["my tasks query"].append((done - middle) * 1000)
        db.session.remove()
        db.engine.dispose()
    return {name: _percentiles(values) for name, values in results.items()}


def _run(kind: str, url: str, tmp: Path, total: int, repeats: int) -> dict:
    app = _app(url, tmp)
    started = time.perf_counter()
    prepared = _prepare(app)
    instances = max(1, total // 50)
    human, adhoc = _rows(total, prepared["users"], instances, random.Random(5))
    if kind == "sqlite":
        _load_sqlite(url.removeprefix("sqlite:///"), instances, prepared["definition"], human, adhoc)
    else:
        _load_postgres(url, instances, prepared["definition"], human, adhoc)
    load_seconds = time.perf_counter() - started
    figures = _measure(app, repeats)
    return {"load": load_seconds, "figures": figures}


def _pg_database() -> str | None:
    base = os.environ.get("CRM_BENCH_DATABASE_URL") or os.environ.get("CRM_TEST_DATABASE_URL") or PG_DEFAULT
    name = f"crm_bench_inbox_{os.getpid()}"
    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL недоступен ({exc.__class__.__name__}); пропускаю")
        return None
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _drop_pg(url: str) -> None:
    name = make_url(url).database
    admin = (
        make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.inbox")
    parser.add_argument("--rows", type=int, default=1_000_000, help="human + ad-hoc tasks in total")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args(argv)
    print(
        f"{args.rows:,} tasks (60 % process, 40 % ad-hoc), {OPEN_FOR_USER} open for «manager»; "
        f"{args.repeats} requests each; target p95 < {TARGET_MS:.0f} ms"
    )
    with tempfile.TemporaryDirectory(prefix="crm-bench-inbox-") as tmp:
        runs = []
        if args.only in (None, "sqlite"):
            runs.append(("sqlite", f"sqlite:///{tmp}/bench.db"))
        if args.only in (None, "postgresql"):
            pg = _pg_database()
            if pg:
                runs.append(("postgresql", pg))
        for kind, url in runs:
            try:
                result = _run(kind, url, Path(tmp), args.rows, args.repeats)
            finally:
                if kind == "postgresql":
                    _drop_pg(url)
            print(f"\n{kind}: loaded in {result['load']:.0f} s")
            print(f"  {'measure':<16} {'p50 ms':>8} {'p95 ms':>8} {'p95/target':>11}")
            for name, (p50, p95) in result["figures"].items():
                print(f"  {name:<16} {p50:8.1f} {p95:8.1f} {p95 / TARGET_MS:10.2f}x")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
