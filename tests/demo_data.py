"""The demo data for tests: `crm deploy` and `crm demo` run once per worker and database, then copied.

About thirty tests (the pages scans, the role homes, the browser tests of the board, discounts,
documents, reports) start from the demo data. Loading it runs every seed through the services
and the engine — several seconds a test on two cores. The data is the same every time: the
test clock starts at the same moment, the seeds are deterministic and the settings are the
suite's. So the first test of a worker loads it for real and the database is snapshot; later
tests with the same clock moment, settings and seeds get the snapshot's rows back:

* SQLite: the whole file through SQLite's online backup API (both ways), which also carries the
  FTS5 tables a row copy cannot read back (contentless full-text indexes);
* PostgreSQL: every table into a schema ``demo_snapshot`` of the worker's database, restored by
  ``INSERT … SELECT`` with foreign-key triggers off for the copy, and the id sequences moved on.

A test that changes how the demo loads (other settings, another clock moment, extra packages
with seeds) gets a snapshot of its own under its own key; `tests/sales/test_demo.py` and the CLI
tests still run the commands themselves, which is where the seeds are tested.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import Integer, text

from models.platform.db import Base, db

SNAPSHOT_SCHEMA = "demo_snapshot"


@dataclass
class _Snapshot:
    """What a load left: the database's copy and the clock's moment after it."""

    clock_after: datetime
    sqlite_copy: sqlite3.Connection | None = None


_SNAPSHOTS: dict[tuple, _Snapshot] = {}


@pytest.fixture(name="settings_overrides")
def suite_settings() -> dict:
    """The suite's own settings for a module whose directory sets others that its demo tests do not
    need: imported into the module, the demo data is the one every other module loads, copied from
    the worker's snapshot instead of loaded again under a key of its own."""
    return {}


def load_demo(app) -> None:
    """Fill the app's database with `crm deploy` + `crm demo`, from the worker's snapshot when it has one."""
    from tests.conftest import run_cli

    clock = app.extensions["crm.clock"]
    key = _key(app, clock.now())
    with app.app_context():
        empty = _is_empty()
    snapshot = _SNAPSHOTS.get(key) if empty else None
    if snapshot is not None:
        with app.app_context():
            _restore(snapshot)
        clock.set(snapshot.clock_after)
        return
    run_cli(app, "deploy")
    run_cli(app, "demo")
    if empty:  # a load on top of a test's own rows is that test's alone
        with app.app_context():
            _SNAPSHOTS[key] = _take(clock.now())


def _key(app, moment: datetime) -> tuple:
    settings = {name: value for name, value in dataclasses.asdict(app.extensions["crm.settings"]).items()
                if name not in ("instance_dir", "secret_key")}
    seeds = tuple(name for name, _seed in app.extensions["crm.registry"].demo_seeds)
    with app.app_context():
        url = str(db.engine.url)
    return url, moment.isoformat(), repr(sorted(settings.items())), seeds


def _is_empty() -> bool:
    """Whether no table holds a row yet (the test has not stored anything of its own)."""
    from tests.conftest import filled_tables

    with db.engine.connect() as connection:
        return not filled_tables(connection)


def _take(clock_after: datetime) -> _Snapshot:
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with db.engine.connect() as connection:
            connection.connection.driver_connection.backup(copy)
        return _Snapshot(clock_after, sqlite_copy=copy)
    with db.engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SNAPSHOT_SCHEMA}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{SNAPSHOT_SCHEMA}"'))
        for table in Base.metadata.sorted_tables:
            connection.execute(text(f'CREATE TABLE "{SNAPSHOT_SCHEMA}"."{table.name}" AS '
                                    f'SELECT * FROM public."{table.name}"'))
    return _Snapshot(clock_after)


def _restore(snapshot: _Snapshot) -> None:
    db.session.remove()
    if snapshot.sqlite_copy is not None:
        with db.engine.connect() as connection:
            snapshot.sqlite_copy.backup(connection.connection.driver_connection)
        return
    with db.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for table in Base.metadata.sorted_tables:
            connection.execute(text(f'INSERT INTO public."{table.name}" '
                                    f'SELECT * FROM "{SNAPSHOT_SCHEMA}"."{table.name}"'))
            _move_sequences(connection, table)


def _move_sequences(connection, table) -> None:
    """Set each serial column's sequence past the copied rows, as the real load left it."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer):
            continue
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                     {"t": f'public."{table.name}"', "c": column.name})
        if sequence:
            connection.execute(text(f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") '
                                    f'FROM public."{table.name}"), 0) + 1, false)'), {"s": sequence})
