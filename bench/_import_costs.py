"""What the client import costs beyond its own wall time: CPU queueing, server CPU, fresh copies.

Helpers of ``bench/clients.py`` for a machine shared with other programs: the CPU seconds
of the PostgreSQL backends (``/proc``), the time a thread waited for a CPU while runnable
(``schedstat``), and fresh copies of a loaded base, so that two ways of importing are timed
one after the other under the same load.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session


def backend_cpu(session: Session) -> dict[int, float] | None:
    """CPU seconds used so far by each PostgreSQL backend of this database (None: not readable).

    The server runs on this machine (127.0.0.1), so ``/proc/<pid>/stat`` of its backends tells
    what the import cost the database, a figure the load of other programs barely changes.
    """
    if session.get_bind().dialect.name != "postgresql":
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    pids = session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
    used = {}
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    except (OSError, IndexError, ValueError):
        return None
    return used


def run_delay() -> float:
    """Seconds this thread has waited for a CPU while runnable (Linux schedstat; 0 elsewhere).

    On a machine shared with other programs, wall time less this wait is what the import's
    own thread needed: the time it ran, waited for the database or for the writer thread
    (whose own queueing is left in, so the figure only flatters nothing).
    """
    try:
        return int(Path("/proc/thread-self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


@contextmanager
def copy_of(kind: str, engine: Engine, n: int) -> Iterator[Engine]:
    """A fresh copy of the loaded base (SQLite's backup API, PostgreSQL's template), dropped after."""
    if kind == "sqlite":
        path = f"{engine.url.database}.copy{n}"
        with closing(sqlite3.connect(str(engine.url.database))) as source, \
                closing(sqlite3.connect(path)) as target:
            source.backup(target)
        copy = create_engine(f"sqlite:///{path}")
        try:
            yield copy
        finally:
            copy.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        return
    name = f"{engine.url.database}_copy{n}"
    admin = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"')
    copy = create_engine(engine.url.set(database=name))
    try:
        yield copy
    finally:
        copy.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
