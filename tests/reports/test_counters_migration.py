"""Migration 0021 fills the open-deal day buckets and the deal totals from existing deals exactly as
the session hook keeps them (the fixed data set, both databases)."""

from __future__ import annotations

from collections.abc import Iterator

import alembic.command
import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from models.identity.demo import ensure_demo_users
from models.identity.users import User
from models.platform.db import db
from models.reports.tables import DealTotal, OpenDealAge
from tests.conftest import DB_KINDS, PG_URL, _pg_conninfo, _settings, _worker
from tests.reports.conftest import FixedSales
from web import create_app

BEFORE = "0020_title_fragments"
AFTER = "0021_report_counters"


@pytest.fixture(params=DB_KINDS)
def blank_url(request, tmp_path) -> Iterator[str]:
    """An empty database of its own (the shared test database is already at the latest revision)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration.db'}"
        return
    name = f"crm_test_{_worker()}_mig21"
    with psycopg.connect(_pg_conninfo(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_pg_conninfo(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _snapshot(session: Session) -> dict[str, list[tuple]]:
    session.expire_all()
    return {
        "ages": sorted((r.clock, r.stage_id, str(r.day), r.owner_id, r.funnel_id, r.n)
                       for r in session.scalars(select(OpenDealAge)) if r.n),
        "totals": sorted((r.owner_id, r.funnel_id, r.stage_id, r.status, r.n, r.n_premium, r.premium_kop)
                         for r in session.scalars(select(DealTotal)) if r.n),
    }


def test_the_migration_fills_what_the_hook_keeps(blank_url, tmp_path):
    app = create_app(_settings(blank_url, tmp_path))
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        alembic.command.upgrade(config, AFTER)
        session = db.session
        ensure_demo_users(session, password_hash="x")
        session.commit()
        FixedSales(session, {u.login: u for u in session.scalars(select(User))}).build()
        kept = _snapshot(session)
        # six day rows (three open deals × two clocks) and five totals (per stage and owner, per owner)
        assert len(kept["ages"]) == 11 and sum(t[4] for t in kept["totals"]) == 6
        session.close()
        alembic.command.downgrade(config, BEFORE)
        alembic.command.upgrade(config, AFTER)
        assert _snapshot(db.session) == kept
        db.session.remove()
        db.engine.dispose()
