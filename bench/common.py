"""What several benchmarks share: a migrated app with the demo people and processes, run on both databases.

``deployed_app`` builds the app the way ``make run`` does (migrations, demo users, funnels, the
shipped processes deployed) on the wall clock; ``on_both_databases`` runs a measurement on a
throw-away SQLite file and then on a throw-away PostgreSQL database (``CRM_BENCH_PG_URL``),
dropping it afterwards even when the measurement fails.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from engine.bundle import Bundle
from models.identity.demo import ensure_demo_users
from models.platform.clock import SystemClock
from models.platform.db import db
from models.platform.settings import PROJECT_ROOT, Settings
from models.sales.funnels import ensure_default_funnels
from web import create_app
from web.engine_support import engine_services

PG_URL = os.environ.get("CRM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_admin_url() -> str:
    """The PostgreSQL server's URL for psycopg (creating and dropping databases)."""
    return make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)


def deployed_app(url: str, instance: Path, *, prepare: Callable[[Any], None] | None = None,
                 **settings: Any) -> Flask:
    """A migrated app on ``url`` with demo users, funnels and the shipped processes deployed."""
    import alembic.command

    values: dict[str, Any] = dict(database_url=url, secret_key="bench", env="test", instance_dir=instance,
                                  scheduler=False, smtp_url="smtp://127.0.0.1:1")
    values.update(settings)
    app = create_app(Settings(**values), clock=SystemClock())
    with app.app_context():
        alembic.command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
        ensure_demo_users(db.session, password_hash=generate_password_hash("bench"))
        ensure_default_funnels(db.session)
        if prepare is not None:
            prepare(db.session)
        engine_services(app).engine(db.session).deploy(
            Bundle.from_paths([PROJECT_ROOT / "processes"], PROJECT_ROOT / "forms")
        )
        db.session.commit()
    return app


def on_both_databases(pg_name: str, measure: Callable[[str, str, Path], None], *,
                      skip_postgres: bool = False, skip_sqlite: bool = False) -> None:
    """``measure(kind, url, tmp)`` on SQLite, then on a fresh PostgreSQL database ``pg_name``."""
    with tempfile.TemporaryDirectory() as tmp:
        if not skip_sqlite:
            measure("sqlite", f"sqlite:///{tmp}/bench.db", Path(tmp))
        if skip_postgres:
            return
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        try:
            url = make_url(PG_URL).set(database=pg_name).render_as_string(hide_password=False)
            measure("postgresql", url, Path(tmp))
        finally:
            with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


SABOTAGE_ENV = "CRM_BENCH_SABOTAGE"


def sabotaged() -> bool:
    """True when a test runs the bench to prove its checks: the bench spoils one result first.

    ``tests/bench/test_benches.py`` runs every bench on a tiny size twice: as is (it must pass
    its checks) and with ``CRM_BENCH_SABOTAGE=1`` (it must stop with «неверный результат»).
    """
    return os.environ.get(SABOTAGE_ENV) == "1"


def check(ok: bool, what: str) -> None:
    """Stop the benchmark instead of printing figures for wrong work."""
    if not ok:
        raise SystemExit(f"неверный результат: {what}")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(url: str, instance: Path, *, workers: int = 2, **env_extra: str) -> Iterator[tuple[str, int]]:
    """``crm run`` (gunicorn, ``workers`` processes) on a free port against ``url``.

    Yields the base address and the gunicorn master's pid while the server runs; its stderr is
    shown if it fails to start.
    """
    import subprocess
    import sys
    import time

    import requests

    port = free_port()
    env = {**os.environ, "CRM_DATABASE_URL": url, "CRM_INSTANCE_DIR": str(instance), "CRM_ENV": "test",
           "CRM_SECRET_KEY": "bench", "CRM_SCHEDULER": "0", "CRM_WORKERS": str(workers),
           "CRM_SMTP_URL": "smtp://127.0.0.1:1",
           # the server runs this checkout's code (the installed ``crm`` may point at another one)
           "PYTHONPATH": os.pathsep.join(filter(None, (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")))),
           **env_extra}
    crm = Path(sys.executable).parent / "crm"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([str(crm), "run", "--no-scheduler", "--host", "127.0.0.1", "--port",
                                    str(port)], env=env, stdout=subprocess.DEVNULL, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                with contextlib.suppress(requests.RequestException):
                    if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                if process.poll() is not None:
                    break
                time.sleep(0.1)
            else:
                raise SystemExit("сервер не ответил за 60 с")
            if process.poll() is not None:
                log.seek(0)
                raise SystemExit("сервер не запустился:\n" + log.read().decode(errors="replace")[-3000:])
            yield base, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)
