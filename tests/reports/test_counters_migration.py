"""Migration 0021 fills the open-deal day buckets and the deal totals from existing deals exactly as
the session hook keeps them (the fixed data set, both databases); 0024 fills the totals' weighted
premium the same way. The data is written by the hook at the head revision (the models are the
head's), then the migrations from 0021 on are run down and up again."""

from __future__ import annotations

import alembic.command
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.demo import ensure_demo_users
from models.identity.users import User
from models.platform.db import db
from models.reports.tables import DealTotal, OpenDealAge
from tests.conftest import _settings
from tests.reports.conftest import FixedSales
from web import create_app

BEFORE = "0020_title_fragments"
AFTER = "heads"


def _snapshot(session: Session) -> dict[str, list[tuple]]:
    session.expire_all()
    return {
        "ages": sorted((r.clock, r.stage_id, str(r.day), r.owner_id, r.funnel_id, r.n)
                       for r in session.scalars(select(OpenDealAge)) if r.n),
        "totals": sorted((r.owner_id, r.funnel_id, r.stage_id, r.status, r.n, r.n_premium, r.premium_kop,
                          r.weighted_pk) for r in session.scalars(select(DealTotal)) if r.n),
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
