"""Acceptance 3: a КП above the approved discount is refused through every path; at or below it no
new approval is started. Refused attempts are kept for the data-quality page.

Paths: the deal card (moving the deal to «КП отправлено», changing the discount of a КП
already sent), the deal API (the same two), the BPMN operation ``discounts.check_offer`` (a
BPMN error a boundary event catches, or an incident), and ``require_approved`` itself (the
call the documents feature will make).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from engine.tables import Incident, InstanceStatus, ProcessInstance
from models.discounts.errors import DiscountNotApproved
from models.discounts.requests import DiscountRequest, DiscountViolation
from models.discounts.service import require_approved
from models.identity.users import issue_api_token
from models.sales.deals import Deal
from tests.conftest import csrf_from, login

D = Decimal
BPMN = Path(__file__).parent / "bpmn"


def _approve(world, deal, pct: str, product: str = "КАСКО") -> DiscountRequest:
    request = world.ask(deal, pct, product=product).request
    task = world.task(request)
    approver = (
        next(u for u in world.users.values() if u.id == task.assignee_id)
        if task.assignee_id
        else world.users["underwriter"]
    )
    world.decide(request, approver.login, "approve", "Согласовано")
    return world.refresh(request)


def _counts(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(DiscountRequest.id))),
        session.scalar(select(func.count(ProcessInstance.id))),
    )


def _violations(session) -> list[DiscountViolation]:
    session.expire_all()
    return list(session.scalars(select(DiscountViolation).order_by(DiscountViolation.id)))


def _set_discount(world, deal, pct: str) -> None:
    world.session.get(Deal, deal.id).requested_discount = D(pct)
    world.session.commit()


@pytest.fixture
def deal12(world):
    """A deal in «Расчёт и андеррайтинг» with 12 % approved for КАСКО."""
    deal = world.deal(stage="underwriting")
    _approve(world, deal, "12")
    return deal


def test_require_approved_names_the_approved_limit(world, deal12, session):
    assert require_approved(session, deal12.id, "КАСКО", D("12"), world.today).pct == D("12.00")
    assert require_approved(session, deal12.id, "КАСКО", D("0"), world.today) is None
    with pytest.raises(DiscountNotApproved) as refused:
        require_approved(session, deal12.id, "КАСКО", D("12.5"), world.today)
    assert refused.value.message.startswith(
        "Скидка 12,5 % больше согласованной 12 % по «КАСКО» (согласовал Виктор Андреевич Орлов"
    )
    with pytest.raises(DiscountNotApproved) as none:
        require_approved(session, deal12.id, "ДМС", D("1"), world.today)
    assert "не согласована" in none.value.message
    with pytest.raises(DiscountNotApproved):  # the approval expired after 30 days
        require_approved(session, deal12.id, "КАСКО", D("12"), world.today + timedelta(days=31))


def test_the_deal_card_refuses_a_kp_above_the_approved_discount_and_keeps_the_attempt(
    world, deal12, client, session
):
    _set_discount(world, deal12, "15")
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal12.id}").get_data(as_text=True))
    refused = client.post(f"/deals/{deal12.id}/stage", data={"csrf_token": token, "stage": "offer_sent"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Скидка 15 % больше согласованной 12 % по «КАСКО»" in page
    assert 'id="discount-value" name="discount" value="15"' in page  # the request form is ready for 15 %
    session.expire_all()
    assert session.get(Deal, deal12.id).stage.code == "underwriting"
    [kept] = _violations(session)
    assert (kept.deal_id, kept.product, kept.discount_pct, kept.approved_pct, kept.source, kept.user_id) == (
        deal12.id,
        "КАСКО",
        D("15.00"),
        D("12.00"),
        "deal_card",
        world.users["manager"].id,
    )


def test_at_or_below_the_approved_discount_the_kp_goes_and_nothing_new_is_started(
    world, deal12, client, session
):
    _set_discount(world, deal12, "10")
    before = _counts(session)
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal12.id}").get_data(as_text=True))
    moved = client.post(f"/deals/{deal12.id}/stage", data={"csrf_token": token, "stage": "offer_sent"})
    assert moved.status_code == 302
    session.expire_all()
    assert session.get(Deal, deal12.id).stage.code == "offer_sent"
    # a re-quote at the approved 12 % needs no new sign-off either
    edited = client.post(f"/deals/{deal12.id}/edit", data={"csrf_token": token, "requested_discount": "12"})
    assert edited.status_code == 302
    assert _counts(session) == before
    assert _violations(session) == []
    # asking again within the approval starts nothing and says so
    done = world.ask(deal12, "11")
    assert done.request is None and done.covered.pct == D("12.00")
    assert "новое согласование не нужно" in done.message
    assert _counts(session) == before


def test_a_re_quote_above_the_approval_after_the_kp_went_out_is_refused(world, deal12, client, session):
    _set_discount(world, deal12, "12")
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal12.id}").get_data(as_text=True))
    assert (
        client.post(
            f"/deals/{deal12.id}/stage", data={"csrf_token": token, "stage": "offer_sent"}
        ).status_code
        == 302
    )
    refused = client.post(f"/deals/{deal12.id}/edit", data={"csrf_token": token, "requested_discount": "14"})
    assert refused.status_code == 422
    session.expire_all()
    assert session.get(Deal, deal12.id).requested_discount == D("12.00")
    assert [v.discount_pct for v in _violations(session)] == [D("14.00")]
    # above it starts a new request: asking for 14 % goes to the sign-off again
    assert world.ask(deal12, "14").request.status == "pending"


def test_the_deal_api_refuses_the_same_way(world, deal12, app, session):
    _set_discount(world, deal12, "13")
    token = issue_api_token(session, world.users["manager"], "тест")
    session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    refused = api.post(f"/api/v1/deals/{deal12.id}/stage", headers=headers, json={"stage": "offer_sent"})
    assert refused.status_code == 422
    body = refused.get_json()["error"]
    assert body["code"] == "discount_not_approved"
    assert body["fields"]["requested_discount"][0].startswith("Скидка 13 % больше согласованной 12 %")
    patched = api.patch(f"/api/v1/deals/{deal12.id}", headers=headers, json={"requested_discount": "12"})
    assert patched.status_code == 200
    moved = api.post(f"/api/v1/deals/{deal12.id}/stage", headers=headers, json={"stage": "offer_sent"})
    assert moved.status_code == 200 and moved.get_json()["stage"] == "offer_sent"
    raised = api.patch(f"/api/v1/deals/{deal12.id}", headers=headers, json={"requested_discount": "20"})
    assert raised.status_code == 422
    assert raised.get_json()["error"]["code"] == "discount_not_approved"
    session.expire_all()
    assert session.get(Deal, deal12.id).requested_discount == D("12.00")
    assert [(v.discount_pct, v.source) for v in _violations(session)] == [
        (D("13.00"), "api"),
        (D("20.00"), "api"),
    ]


def test_a_deal_without_any_approval_cannot_send_a_kp_with_a_discount(world, client, session):
    deal = world.deal(stage="underwriting")
    _set_discount(world, deal, "5")
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal.id}").get_data(as_text=True))
    refused = client.post(f"/deals/{deal.id}/stage", data={"csrf_token": token, "stage": "negotiation"})
    assert refused.status_code == 422  # jumping past «КП отправлено» sends a КП too
    assert "Скидка 5 % по «КАСКО» не согласована" in refused.get_data(as_text=True)
    _set_discount(world, deal, "0")
    assert (
        client.post(f"/deals/{deal.id}/stage", data={"csrf_token": token, "stage": "offer_sent"}).status_code
        == 302
    )


def test_the_bpmn_operation_throws_a_catchable_error_and_logs_the_attempt(world, deal12, session):
    engine = world.engine()
    engine.deploy(Bundle.from_paths([BPMN / "offer_check.bpmn", BPMN / "offer_check_plain.bpmn"], BPMN))
    session.commit()
    within = engine.start("offer_check", {"deal_id": deal12.id, "product": "КАСКО", "discount": 12})
    session.commit()
    assert [t.element_id for t in world.open_tasks(within.id)] == ["send"]
    above = engine.start("offer_check", {"deal_id": deal12.id, "product": "КАСКО", "discount": 15})
    session.commit()
    assert [t.element_id for t in world.open_tasks(above.id)] == ["fix"]
    [fix] = world.open_tasks(above.id)
    refusal = engine.task_data(fix)["refusal"]
    assert refusal["code"] == "discount_not_approved" and refusal["approved"] == "12.00"
    plain = engine.start("offer_check_plain", {"deal_id": deal12.id, "product": "КАСКО", "discount": 15})
    session.commit()
    session.expire_all()
    assert plain.status == InstanceStatus.ERROR
    incident = session.scalar(select(Incident).where(Incident.instance_id == plain.id))
    assert incident.error.startswith("Скидка 15 % больше согласованной 12 %")
    assert [(v.source, v.discount_pct) for v in _violations(session)] == [("process", D("15.00"))] * 2
