"""Acceptance 5: the demo data shows the feature at once — a request waits at every approver level.

Also: the demo's КП already sent carry an approved discount (the demo obeys the rule), the
history gives the log figures for several managers, the waiting requests are on clients with
an insurance history, and loading again adds nothing.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select

from engine.tables import HumanTask, TaskStatus
from models.discounts.approvals import approved_discount
from models.discounts.requests import DiscountRequest
from models.insurance.policies import Claim, Policy
from models.sales.deals import Deal
from tests.conftest import run_cli
from tests.demo_data import load_demo, suite_settings  # noqa: F401  (the suite's settings)


def _run(app, *args):
    return run_cli(app, *args)


def test_demo_has_a_request_waiting_at_every_level_and_obeys_the_rule(app, session, clock):
    load_demo(app)  # `crm deploy` and `crm demo` (or the worker's copy of what they stored)
    assert session.scalar(select(func.count(Policy.id))) > 300
    assert session.scalar(select(func.count(Claim.id))) > 300
    assert session.scalar(select(func.count(DiscountRequest.id))) >= 15

    waiting = session.scalars(select(DiscountRequest).where(DiscountRequest.status == "pending")).all()
    assert {r.level for r in waiting} == {"senior", "head", "underwriting"}
    assert any(r.rule_id == "r_loss_ratio" for r in waiting)  # underwriting by the loss ratio too
    assert all(r.loss_ratio is not None for r in waiting)  # on clients with an insurance history
    for request in waiting:
        task = session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == request.instance_id, HumanTask.status == TaskStatus.OPEN
            )
        )
        assert task is not None and task.element_id == f"decide_{request.level}"
    assert (
        session.scalar(select(func.count(DiscountRequest.id)).where(DiscountRequest.status == "countered"))
        >= 1
    )
    statuses = set(session.scalars(select(DiscountRequest.status)))
    assert {"approved", "rejected", "declined", "recalled"} <= statuses
    assert len(set(session.scalars(select(DiscountRequest.requester_id)))) == 3  # every demo manager

    today = clock.now().date()
    sent = session.scalars(select(Deal).where(Deal.requested_discount.is_not(None))).all()
    for deal in sent:
        if deal.stage.code in ("offer_sent", "negotiation") and deal.status == "open":
            for product in deal.product_lines:
                approval = approved_discount(session, deal.id, product, today)
                assert approval is not None and approval.pct >= deal.requested_discount, (deal.title, product)

    counts = (
        session.scalar(select(func.count(DiscountRequest.id))),
        session.scalar(select(func.count(Policy.id))),
        session.scalar(select(func.count(Claim.id))),
    )
    again = json.loads(_run(app, "demo", "--json").stdout)["created"]
    assert (again["discount_requests"], again["policies"]) == (0, 0)
    session.expire_all()
    assert (
        session.scalar(select(func.count(DiscountRequest.id))),
        session.scalar(select(func.count(Policy.id))),
        session.scalar(select(func.count(Claim.id))),
    ) == counts
