"""The lead and deal pages call one service each: what moved out of the views still behaves.

A service that raises after writing leaves nothing stored (the request's unit of work), the
intake keeps its hit count even for refused requests (its own unit of work), hand-overs tell
both managers from the service and a refused one tells nobody, missing records are 404 in
Russian, and the funnel settings keep their rules.
"""

from __future__ import annotations

from sqlalchemy import func, select

from models.clients.cards import Client
from models.identity.users import issue_api_token
from models.notifications.service import Notification
from models.sales.deals import Deal, DealStageHistory, open_deal
from models.sales.funnels import FunnelStage, LossReason, funnel_by_code
from models.sales.intake_limits import IntakeHit
from models.sales.leads import Lead
from tests.conftest import csrf_from, login


def _deal(world, owner: str = "manager") -> Deal:
    client = Client(kind="company", full_name=f"АО «Клиент {owner}»", owner=world.users[owner])
    world.session.add(client)
    made = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=world.users[owner].id, now=world.clock.now(), title=f"Сделка {owner}")
    world.session.commit()
    return made


def _handover_notes(world) -> list[Notification]:
    world.session.expire_all()
    return list(world.session.scalars(select(Notification).where(Notification.kind == "handover")))


def test_a_deal_its_creator_may_not_work_is_refused_and_nothing_is_stored(world, client):
    other = _deal(world, "manager3")
    token = issue_api_token(world.session, world.users["lawyer"], "tests")  # reads every client, edits none
    world.session.commit()
    before = world.session.scalar(select(func.count(Deal.id)))

    # The service writes the deal (and its first stage), then finds the caller may not edit it.
    answer = client.post("/api/v1/deals", headers={"Authorization": f"Bearer {token}"},
                         json={"client_id": other.client_id, "premium": "1000"})

    assert answer.status_code == 403
    world.session.expire_all()
    assert world.session.scalar(select(func.count(Deal.id))) == before == 1
    assert world.session.scalar(select(func.count(DealStageHistory.id))) == 1


def test_a_refused_stage_move_keeps_the_deal_and_shows_it_as_stored(world, client):
    deal = _deal(world)
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal.id}").get_data(as_text=True))
    refused = client.post(f"/deals/{deal.id}/stage", data={
        "csrf_token": token, "stage": "won", "contract_number": "Д-1", "contract_start": "2026-03-01"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="deal-stage">Новый<' in page and "Укажите дату окончания договора" in page
    world.session.expire_all()
    stored = world.session.get(Deal, deal.id)
    assert (stored.stage.code, stored.status, stored.contract_number) == ("new", "open", None)
    assert len(stored.history) == 1


def test_the_intake_keeps_counting_refused_requests(world, app):
    app.extensions["crm.settings"].intake_rate_per_minute = 1
    http = app.test_client()
    assert http.post("/intake/lead", json={"name": "Без контактов"}).status_code == 400
    assert http.post("/intake/lead", json={"name": "Иван", "email": "i@x.ru"}).status_code == 429
    assert http.post("/intake/lead", json={"name": "Пётр", "email": "p@x.ru"}).status_code == 429
    world.session.expire_all()
    assert world.session.scalar(select(func.sum(IntakeHit.hits))) == 3
    assert world.session.scalar(select(func.count(Lead.id))) == 0


def test_a_lead_handed_over_from_its_card_tells_both_managers(world, client):
    lead = world.lead(company="ООО «Передача»", phone="+79160001133", territory="Москва",
                      industry="Логистика")
    world.session.refresh(lead)
    old, new = lead.assigned_to_id, world.users["manager3"].id
    login(client, "senior")
    card = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    refused = client.post(f"/leads/{lead.id}/reassign", data={"csrf_token": csrf_from(card), "user_id": new,
                                                              "reason": "  "})
    assert refused.status_code == 422 and _handover_notes(world) == []
    done = client.post(f"/leads/{lead.id}/reassign", data={"csrf_token": csrf_from(card), "user_id": new,
                                                           "reason": "Клиент просил другого менеджера"})
    assert done.status_code == 302
    notes = _handover_notes(world)
    assert sorted(n.user_id for n in notes) == sorted([old, new])
    assert all("Причина: Клиент просил другого менеджера" in n.body and "Передал: " in n.body
               for n in notes)


def test_a_refused_deal_hand_over_changes_nothing_and_tells_nobody(world, client):
    deal = _deal(world)
    login(client, "senior")
    token = csrf_from(client.get("/deals/workload").get_data(as_text=True))
    answer = client.post("/deals/reassign", data={"csrf_token": token, "deal_id": deal.id,
                                                  "user_id": world.users["manager"].id + 999,
                                                  "reason": "Отпуск"})
    assert answer.status_code == 302
    assert "Новый ответственный не найден" in client.get("/deals/workload").get_data(as_text=True)
    world.session.expire_all()
    assert world.session.get(Deal, deal.id).owner_id == world.users["manager"].id
    assert _handover_notes(world) == []
    missing = client.post("/deals/reassign", data={"csrf_token": token, "deal_id": deal.id + 999,
                                                   "user_id": world.users["manager3"].id, "reason": "Отпуск"})
    assert missing.status_code == 404 and "Сделка не найдена" in missing.get_data(as_text=True)


def test_missing_leads_and_deals_are_404_in_russian(world, client):
    login(client, "manager")
    page = client.get("/deals/999999")
    assert page.status_code == 404 and "Сделка не найдена" in page.get_data(as_text=True)
    assert "Лид не найден" in client.get("/leads/999999").get_data(as_text=True)
    api = client.get("/api/v1/leads/999999")
    assert api.status_code == 404 and api.get_json()["error"]["message"] == "Лид не найден"


def test_funnel_settings_keep_their_rules(world, client, app):
    stage = world.session.scalar(select(FunnelStage).where(FunnelStage.code == "qualification"))
    login(client, "admin")
    token = csrf_from(client.get("/deals/settings").get_data(as_text=True))
    bad = client.post(f"/deals/settings/stages/{stage.id}", data={
        "csrf_token": token, "name": "Другое имя", "probability": "150", "stuck_after_days": "3"})
    assert bad.status_code == 302
    assert "Вероятность — от 0 до 100" in client.get("/deals/settings").get_data(as_text=True)
    world.session.expire_all()
    assert (stage.name, stage.probability) == ("Квалификация", 15)
    good = client.post(f"/deals/settings/stages/{stage.id}", data={
        "csrf_token": token, "name": " Первичная квалификация ", "probability": "20", "stuck_after_days": ""})
    assert good.status_code == 302
    world.session.expire_all()
    assert (stage.name, stage.probability, stage.stuck_after_days) == ("Первичная квалификация", 20, None)
    assert client.post("/deals/settings/stages/999999", data={
        "csrf_token": token, "probability": "10"}).status_code == 404

    client.post("/deals/settings/loss-reasons", data={"csrf_token": token, "name": "Дорого"})
    assert "Причина пустая или уже есть" in client.get("/deals/settings").get_data(as_text=True)
    client.post("/deals/settings/loss-reasons", data={"csrf_token": token, "name": "Сменился директор"})
    world.session.expire_all()
    added = world.session.scalar(select(LossReason).where(LossReason.name == "Сменился директор"))
    assert added is not None and added.is_active
    client.post("/deals/settings/loss-reasons", data={"csrf_token": token, "toggle_id": added.id})
    world.session.expire_all()
    assert world.session.get(LossReason, added.id).is_active is False

    manager = app.test_client()
    login(manager, "manager")
    assert manager.get("/deals/settings").status_code == 403
    assert manager.post("/deals/settings/loss-reasons", data={
        "csrf_token": csrf_from(manager.get("/deals/").get_data(as_text=True)), "name": "Чужая"}
    ).status_code == 403
