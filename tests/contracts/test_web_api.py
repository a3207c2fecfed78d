"""The pages and the API: «На продление» with filters and churn figures, a contract's card and payments,
bad input answered 4xx in Russian, the rules (a manager sees own contracts, thresholds by the head)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from models.contracts.contracts import Contract
from models.contracts.renewals import ContractRenewal, ContractRisk, RenewalStatus
from models.identity.users import issue_api_token
from tests.conftest import csrf_from, login


def _bearer(world, session, login_name) -> dict:
    token = issue_api_token(session, world.users[login_name], "тест")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _as(app, login_name):
    client = app.test_client()
    login(client, login_name)
    return client


def _board(world, session):
    today = world.clock.now().date()
    mine = world.contract(world.client(owner="manager"), ends_on=today + timedelta(days=20), product="КАСКО")
    theirs = world.contract(world.client(owner="manager2"), ends_on=today + timedelta(days=50), product="ДМС")
    session.add(
        ContractRisk(
            contract_id=mine.id,
            score=70,
            zone="red",
            signals=[
                {
                    "code": "loss_ratio",
                    "label": "Высокая убыточность",
                    "reason": "убыточность 120 %",
                    "weight": 40,
                }
            ],
            assessed_on=today,
            zone_since=world.clock.now(),
        )
    )
    # last month: one renewed (a successor exists), one not renewed
    first = date(today.year, today.month, 1)
    old = world.contract(world.client(owner="manager"), ends_on=first - timedelta(days=3), premium="1000000")
    world.contract(ends_on=first + timedelta(days=360), premium="1100000", number="Д-НОВЫЙ")
    session.get(
        Contract, session.query(Contract.id).filter_by(number="Д-НОВЫЙ").scalar()
    ).renewed_from_id = old.id
    lost = world.contract(
        world.client(owner="manager2"), ends_on=first - timedelta(days=2), premium="3000000"
    )
    session.add(
        ContractRenewal(
            contract_id=lost.id,
            status=RenewalStatus.NOT_RENEWED,
            due_on=first,
            window_days=45,
            reason="Дорого",
        )
    )
    session.commit()
    return mine, theirs


def test_renewals_board_filters_and_churn_figures(world, session, app):
    world.at(date(2026, 3, 16), 12)
    mine, theirs = _board(world, session)
    senior = _as(app, "senior")
    page = senior.get("/contracts/renewals").get_data(as_text=True)
    assert f"№ {mine.number}" in page and f"№ {theirs.number}" in page
    assert "1 200 000,00 ₽" in page and "2 400 000,00 ₽" in page  # each contract and the premium at stake
    red = senior.get("/contracts/renewals?zone=red").get_data(as_text=True)
    assert f"№ {mine.number}" in red and f"№ {theirs.number}" not in red
    short = senior.get("/contracts/renewals?period=30").get_data(as_text=True)
    assert f"№ {theirs.number}" not in short
    api = senior.get("/api/v1/contracts/renewals?churn=month").get_json()
    assert api["churn"]["previous"]["renewed"] == 1 and api["churn"]["previous"]["churned"] == 1
    assert api["churn"]["previous"]["renewal_rate"] == "50.0"
    assert api["churn"]["previous"]["renewal_rate_premium"] == "25.0"  # 1 000 000 of 4 000 000
    manager = _as(app, "manager")
    own = manager.get("/api/v1/contracts/renewals").get_json()
    assert [r["contract_id"] for r in own["rows"]] == [mine.id]
    assert manager.get(f"/contracts/{theirs.id}").status_code == 403
    assert senior.get("/api/v1/contracts/renewals?zone=purple").status_code == 422


def test_contract_card_payments_and_api_refusals(world, session, app):
    contract = world.contract(ends_on=world.clock.now().date() + timedelta(days=200), instalments=2)
    manager = _as(app, "manager")
    card = manager.get(f"/contracts/{contract.id}")
    html = card.get_data(as_text=True)
    assert card.status_code == 200 and "Платежи" in html and "600 000,00 ₽" in html
    payment = contract.payments[0]
    bad = manager.post(
        f"/contracts/{contract.id}/payments/{payment.id}",
        data={"csrf_token": csrf_from(html), "paid_on": "2099-01-01"},
    )
    assert bad.status_code == 422 and "Дата оплаты не может быть в будущем" in bad.get_data(as_text=True)
    ok = manager.post(f"/contracts/{contract.id}/payments/{payment.id}", data={"csrf_token": csrf_from(html)})
    assert ok.status_code == 302
    data = manager.get(f"/api/v1/contracts/{contract.id}").get_json()
    assert [p["state"] for p in data["payments"]] == ["paid", "due"]
    token = _bearer(world, session, "manager")
    api = app.test_client()  # a machine with a token, no browser session
    refused = api.post(
        "/api/v1/contracts",
        headers=token,
        json={
            "client_id": contract.client_id,
            "number": contract.number,
            "product": "Космос",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "premium": "-5",
        },
    )
    body = refused.get_json()
    assert refused.status_code == 422
    assert set(body["error"]["fields"]) == {"product", "ends_on", "premium"}
    created = api.post(
        "/api/v1/contracts",
        headers=token,
        json={
            "client_id": contract.client_id,
            "number": "Н-1",
            "product": "ДМС",
            "starts_on": "2026-05-01",
            "ends_on": "2027-04-30",
            "premium": "1 500 000,50",
            "instalments": 4,
        },
    )
    assert created.status_code == 201 and created.get_json()["premium"] == "1500000.50"
    assert len(created.get_json()["payments"]) == 4
    assert api.post("/api/v1/contracts", json={"client_id": 1, "bogus": 1}, headers=token).status_code == 422
    assert manager.get("/api/v1/contracts/999999").status_code == 404
    assert session.get(Contract, contract.id).premium == Decimal("1200000.00")


def test_risk_thresholds_are_the_heads_and_checked(world, session, app):
    senior = _as(app, "senior")
    assert senior.get("/api/v1/contracts/risk-settings").get_json()["red_from"] == 60
    as_senior, as_head = _bearer(world, session, "senior"), _bearer(world, session, "head")
    api = app.test_client()
    assert (
        api.put("/api/v1/contracts/risk-settings", json={"red_from": 70}, headers=as_senior).status_code
        == 403
    )
    bad = api.put("/api/v1/contracts/risk-settings", json={"red_from": 10}, headers=as_head)
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"]["red_from"] == [
        "Красная зона должна начинаться выше жёлтой"
    ]
    changed = api.put("/api/v1/contracts/risk-settings", json={"red_from": 70}, headers=as_head)
    assert changed.get_json()["red_from"] == 70
    page = _as(app, "head").get("/contracts/risk-settings").get_data(as_text=True)
    assert 'value="70"' in page
    assert _as(app, "manager").get("/contracts/risk-settings").status_code == 403


def test_the_contracts_api_pages_by_end_date_through_ties(world, session, app):
    today = world.clock.now().date()
    client = world.client(owner="manager")
    made = [world.contract(client, ends_on=today + timedelta(days=n // 3)) for n in range(7)]
    world.contract(world.client(owner="manager2"), ends_on=today)  # another manager's: never listed
    session.commit()
    api = app.test_client()
    token = _bearer(world, session, "manager")

    seen, url = [], "/api/v1/contracts?limit=3"
    while url:
        answer = api.get(url, headers=token)
        assert answer.status_code == 200
        seen += [row["id"] for row in answer.get_json()]
        url = answer.headers.get("Link", "").partition(">")[0].lstrip("<")
    assert seen == [c.id for c in sorted(made, key=lambda c: (c.ends_on, c.id))]

    refused = api.get("/api/v1/contracts?after=завтра", headers=token)
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"]["after"]
