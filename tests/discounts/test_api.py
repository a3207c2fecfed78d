"""``/api/v1/discounts``: ask, quote, list, read, decide, answer, recall, approvals, log, violations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.identity.users import issue_api_token

D = Decimal


@pytest.fixture
def api(app, world, session):
    client = app.test_client()

    def headers(login_name: str) -> dict:
        token = issue_api_token(session, world.users[login_name], "тест")
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    client.headers_for = headers
    return client


def test_quote_then_ask_then_decide_then_answer_through_the_api(world, api):
    deal = world.deal()
    manager, head = api.headers_for("manager"), api.headers_for("head")
    quote = api.get(f"/api/v1/discounts/quote?deal_id={deal.id}&product=КАСКО&discount=15", headers=manager)
    assert quote.status_code == 200, quote.get_json()
    body = quote.get_json()
    assert (body["base_premium"], body["discount_amount"], body["resulting_premium"]) == (
        "1000000.00",
        "150000.00",
        "850000.00",
    )
    assert (body["level"], body["rule"], body["covered"]) == ("head", "r_above_senior", False)
    assert body["explanation"] == "нужен руководитель отдела: скидка 15 % > 10 % лимита старшего менеджера"
    assert body["base_source"] == "по тарифу 2,5 % страховой суммы"

    asked = api.post(
        "/api/v1/discounts/requests",
        headers=manager,
        json={
            "deal_id": deal.id,
            "product": "КАСКО",
            "discount": 15,
            "justification": "Тендер",
            "competitor": {"who": "ВСК", "price": "840000", "conditions": "рассрочка"},
        },
    )
    assert asked.status_code == 201, asked.get_json()
    request = asked.get_json()["request"]
    assert (request["status"], request["level"], request["rule_id"], request["discount_pct"]) == (
        "pending",
        "head",
        "r_above_senior",
        "15.00",
    )
    assert [s["action"] for s in request["steps"]] == ["requested", "routed"]

    waiting = api.get("/api/v1/discounts/requests?awaiting=1", headers=head).get_json()
    assert [r["id"] for r in waiting] == [request["id"]]
    assert api.get("/api/v1/discounts/requests?awaiting=1", headers=manager).get_json() == []

    decided = api.post(
        f"/api/v1/discounts/requests/{request['id']}/decision",
        headers=head,
        json={"decision": "counter", "counter_discount": 12, "comment": "Можем 12 %"},
    )
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["request"]["status"] == "countered"
    assert "Ответить на встречное предложение" in decided.get_json()["message"]

    answered = api.post(
        f"/api/v1/discounts/requests/{request['id']}/answer",
        headers=manager,
        json={"answer": "accept", "comment": "Клиент согласен"},
    )
    assert answered.status_code == 200, answered.get_json()
    final = answered.get_json()["request"]
    assert (final["status"], final["approved_pct"], final["approved_by_id"]) == (
        "approved",
        "12.00",
        world.users["head"].id,
    )

    approvals = api.get(f"/api/v1/discounts/approved?deal_id={deal.id}", headers=manager).get_json()
    assert [(a["product"], a["pct"], a["approved_by"]) for a in approvals] == [
        ("КАСКО", "12.00", "Виктор Андреевич Орлов")
    ]
    covered = api.post(
        "/api/v1/discounts/requests",
        headers=manager,
        json={"deal_id": deal.id, "product": "КАСКО", "discount": "10", "justification": "Переоформление"},
    )
    assert covered.status_code == 200
    assert covered.get_json()["request"] is None and covered.get_json()["covered"]["pct"] == "12.00"
    got = api.get(f"/api/v1/discounts/requests/{request['id']}", headers=manager).get_json()
    assert [s["action"] for s in got["steps"]][-2:] == ["countered", "accepted"]


def test_recall_through_the_api_and_filters(world, api):
    deal = world.deal()
    manager = api.headers_for("manager")
    request = world.ask(deal, "8").request
    recalled = api.post(
        f"/api/v1/discounts/requests/{request.id}/recall",
        headers=manager,
        json={"reason": "Клиент передумал"},
    )
    assert recalled.status_code == 200 and recalled.get_json()["status"] == "recalled"
    assert (
        api.post(f"/api/v1/discounts/requests/{request.id}/recall", headers=manager, json={}).status_code
        == 409
    )
    listed = api.get(
        f"/api/v1/discounts/requests?deal_id={deal.id}&status=recalled", headers=manager
    ).get_json()
    assert [r["id"] for r in listed] == [request.id]
    bad = api.get("/api/v1/discounts/requests?status=lost", headers=manager)
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["fields"]
    other = api.get(f"/api/v1/discounts/requests/{request.id}", headers=api.headers_for("manager3"))
    assert other.status_code == 403


def test_log_and_violations_for_reports(world, api, session):
    approved = world.ask(world.deal(), "8").request
    world.decide(approved, "senior", "approve", "Ок")
    head = api.headers_for("head")
    log = api.get("/api/v1/discounts/log", headers=head).get_json()
    [row] = log["managers"]
    assert (row["name"], row["requested"], row["approved"], row["approval_rate"], row["avg_approved"]) == (
        "Иван Сергеевич Петров",
        1,
        1,
        "100.0",
        "8.00",
    )
    deal = world.deal(stage="underwriting")
    session.get(type(deal), deal.id).requested_discount = D("9")
    session.commit()
    refused = api.post(
        f"/api/v1/deals/{deal.id}/stage", headers=api.headers_for("manager"), json={"stage": "offer_sent"}
    )
    assert refused.status_code == 422
    [kept] = api.get("/api/v1/discounts/violations", headers=head).get_json()
    assert (kept["deal_id"], kept["discount_pct"], kept["approved_pct"], kept["source"]) == (
        deal.id,
        "9.00",
        None,
        "api",
    )
    assert api.get("/api/v1/discounts/violations", headers=api.headers_for("manager")).status_code == 403
