"""Demo data of the sales area: every funnel and stage filled, leads in several states, a year of
history that the summaries count exactly, work for every salesperson, idempotent."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.tables import HumanTask, TaskStatus
from models.identity.users import find_user
from models.reports.rebuild import rebuild_summaries
from models.reports.tables import SUMMARY_TABLES
from models.sales.activities import Activity
from models.sales.deals import Deal
from models.sales.demo import DEMO_LEADS
from models.sales.funnels import FunnelStage
from models.sales.leads import Lead
from tests.conftest import run_cli


def _run(app, *args):
    return run_cli(app, *args)


def _summaries(session):
    """Non-zero summary rows (buckets emptied by moves stay as zero rows; the rebuild writes none)."""
    return {
        m.__tablename__: sorted(
            tuple(str(v) for v in row)
            for row in session.execute(select(m.__table__).where(m.__table__.c.n != 0))
        )
        for m in SUMMARY_TABLES
    }


@pytest.mark.parametrize("settings_overrides", [{"demo_history_months": 12}])
def test_demo_fills_every_stage_and_leads_in_several_states_once(app, session):
    _run(app, "deploy")
    first = json.loads(_run(app, "demo", "--json").stdout)["created"]
    assert first["deals"] >= 38 and first["leads"] == len(DEMO_LEADS)
    empty = session.scalars(select(FunnelStage).where(~FunnelStage.id.in_(select(Deal.stage_id)))).all()
    assert empty == []
    statuses = set(session.scalars(select(Lead.status)))
    assert statuses == {"assigned", "qualified", "rejected"}

    # a year of history: won and lost deals (lost ones with a reason) in each of the last 12 months
    now = app.extensions["crm.clock"].now()
    closed = session.execute(
        select(Deal.status, Deal.closed_at, Deal.loss_reason_id).where(
            Deal.closed_at < now - timedelta(days=1)
        )
    ).all()
    months = {(c.year, c.month) for _, c, _ in closed if c > now - timedelta(days=365)}
    assert len(months) >= 12
    assert {s for s, _, _ in closed} == {"won", "lost"}
    assert all(reason is not None for s, _, reason in closed if s == "lost")
    assert session.scalar(
        select(func.count(Activity.id)).where(Activity.happened_at < now - timedelta(days=300))
    )
    # the summaries kept by the session hook are what a rebuild computes
    kept = _summaries(session)
    rebuild_summaries(session)
    session.flush()
    assert _summaries(session) == kept

    # every salesperson has leads to contact; the demo manager has calls to return
    for login in ("manager", "manager2", "manager3"):
        user = find_user(session, login)
        assert (
            session.scalar(
                select(func.count(Lead.id)).where(Lead.assigned_to_id == user.id, Lead.status == "assigned")
            )
            >= 2
        ), login
    manager = find_user(session, "manager")
    calls = session.scalar(
        select(func.count(HumanTask.id)).where(
            HumanTask.process_key == "client_callback",
            HumanTask.assignee_id == manager.id,
            HumanTask.status == TaskStatus.OPEN,
        )
    )
    assert calls >= 2

    def counts():
        return tuple(session.scalar(select(func.count(m.id))) for m in (Deal, Lead, Activity, HumanTask))

    before = counts()
    again = json.loads(_run(app, "demo", "--json").stdout)["created"]
    assert not any(again.values()), again
    assert counts() == before
