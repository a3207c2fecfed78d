"""Deal pages and the deals/leads API: stage rules with clear messages, flags, filters, access."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.clients.cards import Client
from models.identity.users import issue_api_token
from models.sales.deals import open_deal
from models.sales.funnels import LossReason, funnel_by_code
from tests.conftest import csrf_from, login


@pytest.fixture
def deal(world):
    client = Client(kind="company", full_name="АО «Сталь»", inn="7736050003", owner=world.users["manager"])
    world.session.add(client)
    made = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=world.users["manager"].id, now=world.clock.now(), title="Сталь: ДМС")
    world.session.commit()
    return made


def _api(world, login_name: str) -> dict:
    token = issue_api_token(world.session, world.users[login_name], "tests")
    world.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_lost_without_reason_is_refused_on_the_page_and_in_the_api(world, client, app, deal):
    login(client, "manager")
    page = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    refused = client.post(f"/deals/{deal.id}/stage", data={"csrf_token": csrf_from(page), "stage": "lost"})
    assert refused.status_code == 422
    assert "без причины проигрыша" in refused.get_data(as_text=True)
    api = app.test_client()  # a machine: token only, no session cookie
    headers = _api(world, "manager")
    answer = api.post(f"/api/v1/deals/{deal.id}/stage", json={"stage": "lost"}, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"loss_reason_id": [
        "Сделку нельзя перевести в «Проиграна» без причины проигрыша: выберите причину из списка"]}
    reason = world.session.scalar(select(LossReason).where(LossReason.name == "Выбрали конкурента"))
    lost = api.post(f"/api/v1/deals/{deal.id}/stage", json={"stage": "lost", "loss_reason_id": reason.id},
                    headers=_api(world, "manager"))
    assert lost.status_code == 200
    assert (lost.get_json()["status"], lost.get_json()["loss_reason"]) == ("lost", "Выбрали конкурента")


def test_api_flags_filters_updates_and_activities(world, client, deal):
    headers = _api(world, "manager")
    world.clock.advance(timedelta(days=8))
    stuck = client.get("/api/v1/deals?flag=no_activity", headers=headers).get_json()
    assert [d["id"] for d in stuck] == [deal.id] and stuck[0]["flags"] == ["stuck", "no_activity"]
    logged = client.post(f"/api/v1/deals/{deal.id}/activities", headers=headers,
                         json={"kind": "call", "subject": "Обсудили КП", "outcome": "ждут расчёт"})
    assert logged.status_code == 201
    assert client.get("/api/v1/deals?flag=no_activity", headers=headers).get_json() == []
    changed = client.patch(f"/api/v1/deals/{deal.id}", headers=headers, json={
        "premium": "350000.50", "competitor_offers": [{"who": "Ингосстрах", "price": "330000",
                                                       "conditions": "франшиза 30 т.р."}],
        "offer_expires_on": (world.clock.now().date() + timedelta(days=1)).isoformat()})
    body = changed.get_json()
    assert (body["premium"], body["competitor_offers"][0]["who"]) == ("350000.50", "Ингосстрах")
    assert "offer_expiring" in body["flags"]
    bad = client.patch(f"/api/v1/deals/{deal.id}", headers=headers, json={"premium": "много"})
    assert bad.status_code == 422 and "premium" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/deals?funnel=person", headers=headers).get_json() == []


def test_api_creates_deals_and_leads_within_the_callers_scope(world, client, deal):
    manager = _api(world, "manager")
    created = client.post("/api/v1/deals", headers=manager,
                          json={"client_id": deal.client_id, "premium": "1000"})
    assert created.status_code == 201 and created.get_json()["stage"] == "new"
    lead = client.post("/api/v1/leads", headers=manager,
                       json={"company": "ООО «Из API»", "email": "api@x.ru"})
    assert lead.status_code == 201 and lead.get_json()["assigned_to_id"] is not None
    bad = client.post("/api/v1/leads", headers=manager, json={"company": "ООО «Без контактов»"})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {"phone": ["Укажите телефон или e-mail"]}
    other = _api(world, "manager3")
    assert client.get(f"/api/v1/deals/{deal.id}", headers=other).status_code == 403
    assert client.get("/api/v1/deals", headers=other).get_json() == []


def test_won_requires_contract_data_on_the_page(world, client, deal):
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal.id}").get_data(as_text=True))
    refused = client.post(f"/deals/{deal.id}/stage", data={"csrf_token": token, "stage": "won"})
    assert refused.status_code == 422 and "номер договора" in refused.get_data(as_text=True)
    won = client.post(f"/deals/{deal.id}/stage", data={
        "csrf_token": token, "stage": "won", "contract_number": "ДМС-77", "contract_start": "2026-02-01",
        "contract_end": "2027-01-31", "contract_premium": "480000"})
    assert won.status_code == 302
    card = client.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "ДМС-77" in card and "Выиграна" in card


def test_deal_card_shows_path_timeline_tasks_and_processes(world, client):
    lead = world.lead(company="ООО «Карточка»", phone="+79161112233", territory="Москва",
                      industry="Логистика")
    [task] = world.open_tasks(lead)
    world.complete(task, {"outcome": "qualified", "premium": "500000"}, task.assignee_id)
    world.session.refresh(lead)
    login(client, next(u.login for u in world.users.values() if u.id == task.assignee_id))
    page = client.get(f"/deals/{lead.deal_id}")
    token = csrf_from(page.get_data(as_text=True))
    client.post(f"/deals/{lead.deal_id}/activities", data={
        "csrf_token": token, "kind": "meeting", "subject": "Встреча в офисе", "outcome": "Договорились о КП",
        "happened_at": "2026-01-12T08:30"})
    card = client.get(f"/deals/{lead.deal_id}").get_data(as_text=True)
    assert "Новый</li>" in card and "Расчёт и андеррайтинг" in card  # the stage path
    assert "Встреча: Встреча в офисе — Договорились о КП" in card
    assert "Связаться с клиентом</a> — выполнена" in card  # linked to the step's page
    assert "Лид: ООО «Карточка» — завершён" in card
    assert "500 000" in card


def test_a_lead_entered_by_hand_is_routed_too(world, client):
    login(client, "manager2")
    token = csrf_from(client.get("/leads/new").get_data(as_text=True))
    refused = client.post("/leads/new", data={"csrf_token": token, "name": "Без контактов"})
    assert refused.status_code == 422 and "Укажите телефон или e-mail" in refused.get_data(as_text=True)
    made = client.post("/leads/new", data={"csrf_token": token, "name": "Звонок", "phone": "89035556677",
                                           "territory": "Новосибирск"})
    assert made.status_code == 302
    card = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "назначен по правилу: команда Регионы, территория Новосибирск" in card


def test_lead_and_deal_cards_show_phones_the_russian_way(world, client):
    lead = world.lead(company="ООО «Звонок»", phone="8 916 555 44 33", territory="Москва")
    assert lead.phone == "+79165554433"  # stored in E.164, shown as «+7 (916) 555-44-33»
    [task] = world.open_tasks(lead)
    login(client, next(u.login for u in world.users.values() if u.id == task.assignee_id))
    assert "+7 (916) 555-44-33" in client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "+7 (916) 555-44-33" in client.get("/leads/").get_data(as_text=True)
    world.complete(task, {"outcome": "qualified", "premium": "500000"}, task.assignee_id)
    world.session.refresh(lead)
    card = client.get(f"/deals/{lead.deal_id}").get_data(as_text=True)
    assert "тел. +7 (916) 555-44-33" in card
