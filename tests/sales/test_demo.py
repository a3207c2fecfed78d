"""Demo data of the sales area: every funnel and stage filled, leads in several states, idempotent."""

import json

from sqlalchemy import func, select

from models.sales.deals import Deal
from models.sales.funnels import FunnelStage
from models.sales.leads import Lead
from tests.conftest import run_cli


def _run(app, *args):
    return run_cli(app, *args)


def test_demo_fills_every_stage_and_leads_in_several_states_once(app, session):
    _run(app, "deploy")
    first = json.loads(_run(app, "demo", "--json").stdout)["created"]
    assert first["deals"] >= 38 and first["leads"] == 5
    empty = session.scalars(select(FunnelStage).where(~FunnelStage.id.in_(select(Deal.stage_id)))).all()
    assert empty == []
    statuses = set(session.scalars(select(Lead.status)))
    assert statuses == {"assigned", "qualified", "rejected"}
    def counts():
        return session.scalar(select(func.count(Deal.id))), session.scalar(select(func.count(Lead.id)))

    before = counts()
    again = json.loads(_run(app, "demo", "--json").stdout)["created"]
    assert (again["deals"], again["leads"]) == (0, 0)
    assert counts() == before
