"""The board's drop endpoint: one JSON call with the CSRF header, the stage rules, the new totals,
and the quick filters of the board («Мои», stuck, no activity, КП expiring)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models.clients.cards import Client
from models.sales.deals import Deal, DealStatus, open_deal
from models.sales.funnels import LossReason, funnel_by_code
from tests.conftest import csrf_from, login


@pytest.fixture
def deals(world):
    client = Client(kind="company", full_name="АО «Сталь»", inn="7736050003", owner=world.users["manager"])
    world.session.add(client)
    funnel = funnel_by_code(world.session, "company")
    made = [open_deal(world.session, client=client, funnel=funnel, owner_id=world.users[owner].id,
                      now=world.clock.now(), title=title) for owner, title in
            (("manager", "Сталь: ДМС"), ("manager", "Сталь: имущество"), ("manager2", "Сталь: грузы"))]
    for deal, premium in zip(made, ("1500000.50", "200000", "300000"), strict=True):
        deal.premium = Decimal(premium)
    world.session.commit()
    return made


def _token(client) -> str:
    return csrf_from(client.get("/deals/?funnel=company").get_data(as_text=True))


def test_a_drop_moves_the_deal_and_answers_the_new_totals(world, client, deals):
    login(client, "head")
    headers = {"X-CSRFToken": _token(client), "Accept": "application/json"}
    moved = client.post(f"/deals/{deals[0].id}/board-move?funnel=company", json={"stage": "qualification"},
                        headers=headers)
    assert moved.status_code == 200, moved.get_data(as_text=True)
    answer = moved.get_json()
    assert (answer["stage"], answer["stage_name"]) == ("qualification", "Квалификация")
    assert answer["columns"]["qualification"] == {
        "count": 1, "premium": "1 500 000,50 ₽", "weighted": "225 000,08 ₽",
        "premium_value": "1500000.50", "weighted_value": "225000.08"}
    assert answer["columns"]["new"]["count"] == 2
    assert answer["columns"]["new"]["premium"] == "500 000,00 ₽"


def test_a_refused_drop_says_why_and_changes_nothing(world, client, deals):
    login(client, "manager")
    headers = {"X-CSRFToken": _token(client), "Accept": "application/json"}
    refused = client.post(f"/deals/{deals[0].id}/board-move", json={"stage": "lost"}, headers=headers)
    assert refused.status_code == 422
    assert "без причины проигрыша" in refused.get_json()["error"]["message"]
    won = client.post(f"/deals/{deals[0].id}/board-move", json={"stage": "won"}, headers=headers)
    assert won.status_code == 422 and "номер договора" in won.get_json()["error"]["message"]
    assert client.post(f"/deals/{deals[0].id}/board-move", json={}, headers=headers).status_code == 400
    no_csrf = client.post(f"/deals/{deals[0].id}/board-move", json={"stage": "lost"},
                          headers={"Accept": "application/json"})
    assert no_csrf.status_code == 400
    foreign = client.post(f"/deals/{deals[2].id}/board-move", json={"stage": "qualification"},
                          headers=headers)
    assert foreign.status_code in (403, 404)
    world.session.expire_all()
    assert world.session.get(Deal, deals[0].id).stage.code == "new"
    reason = world.session.scalar(select(LossReason).where(LossReason.name == "Дорого"))
    lost = client.post(f"/deals/{deals[0].id}/board-move", headers=headers,
                       json={"stage": "lost", "loss_reason_id": reason.id,
                             "loss_comment": "Дешевле у других"})
    assert lost.status_code == 200 and lost.get_json()["columns"]["lost"]["count"] == 1
    world.session.expire_all()
    deal = world.session.get(Deal, deals[0].id)
    assert (deal.status, deal.loss_reason_id, deal.loss_comment) == (
        DealStatus.LOST, reason.id, "Дешевле у других")


def test_quick_filters_narrow_the_board(world, app, client, deals):
    other = app.test_client()
    login(other, "manager2")
    mine = other.get("/deals/?funnel=company&mine=1").get_data(as_text=True)
    assert "Сталь: грузы" in mine and "Сталь: ДМС" not in mine
    assert 'data-quick="mine" role="button" aria-pressed="true"' in mine
    login(client, "head")
    everything = client.get("/deals/?funnel=company").get_data(as_text=True)
    assert all(d.title in everything for d in deals)
    world.clock.advance(timedelta(days=8))
    stuck = client.get("/deals/?funnel=company&flag=stuck").get_data(as_text=True)
    assert "Сталь: грузы" in stuck and 'data-quick="stuck" role="button" aria-pressed="true"' in stuck
    expiring = client.get("/deals/?funnel=company&flag=offer_expiring").get_data(as_text=True)
    assert "Сталь: грузы" not in expiring
