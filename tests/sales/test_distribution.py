"""Workload page and hand-overs: reason required, kept in the audit history, both managers told."""

from sqlalchemy import select

from models.clients.cards import Client
from models.platform.audit import AuditLog
from models.platform.outbox import OutboxMessage
from models.sales.deals import Deal, open_deal
from models.sales.funnels import funnel_by_code
from tests.conftest import csrf_from, login


def _deals(world, owner: str, count: int) -> list[Deal]:
    client = Client(kind="company", full_name=f"ООО «Клиент {owner}»", owner=world.users[owner])
    world.session.add(client)
    made = [open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                      owner_id=world.users[owner].id, now=world.clock.now()) for _ in range(count)]
    world.session.commit()
    return made


def test_workload_shows_deals_tasks_and_leads_per_manager(world, client, app):
    _deals(world, "manager2", 2)
    world.lead(company="ООО «Неделя»", email="w@x.ru", territory="Москва", industry="Логистика")
    login(client, "senior")
    page = client.get("/deals/workload").get_data(as_text=True)
    row = page.split('data-user="manager2"')[1].split("</tr>")[0]
    assert "2: Новый 2" in row
    assert 'data-user="manager"' in page and "Загрузка менеджеров" in page
    manager = app.test_client()
    login(manager, "manager")
    assert manager.get("/deals/workload").status_code == 403


def test_reassigning_a_deal_needs_a_reason_and_is_kept_in_history(world, client):
    [deal] = _deals(world, "manager", 1)
    login(client, "senior")
    token = csrf_from(client.get("/deals/workload").get_data(as_text=True))
    target = world.users["manager3"].id
    client.post("/deals/reassign",
                data={"csrf_token": token, "deal_id": deal.id, "user_id": target, "reason": " "})
    world.session.expire_all()
    assert world.session.get(Deal, deal.id).owner_id == world.users["manager"].id
    client.post("/deals/reassign", data={"csrf_token": token, "deal_id": deal.id, "user_id": target,
                                         "reason": "Менеджер уходит в декрет"})
    world.session.expire_all()
    assert world.session.get(Deal, deal.id).owner_id == target
    [entry] = world.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "deal", AuditLog.field == "owner_id", AuditLog.action == "update")).all()
    assert (entry.reason, entry.user_id, entry.new_value) == (
        "Менеджер уходит в декрет", world.users["senior"].id, str(target))
    mails = [m.payload for m in world.session.scalars(select(OutboxMessage))]
    assert {m["to"] for m in mails if m["subject"].startswith("Передача")} == {
        "manager@demo.crm.local", "manager3@demo.crm.local"}


def test_a_whole_portfolio_moves_with_open_deals_and_leads(world, client):
    lead = world.lead(company="ООО «Лид»", phone="+79030000009", territory="Казань")
    world.session.refresh(lead)
    old = lead.assigned_to_id
    assert old == world.users["manager2"].id  # «Регионы», equal load, first in turn
    deals = _deals(world, "manager2", 3)
    login(client, "senior")
    token = csrf_from(client.get("/deals/workload").get_data(as_text=True))
    client.post("/deals/reassign", data={"csrf_token": token, "from_id": old,
                                         "user_id": world.users["manager"].id, "reason": "Перераспределение"})
    world.session.expire_all()
    assert world.session.get(type(lead), lead.id).assigned_to_id == world.users["manager"].id
    [task] = world.open_tasks(lead)
    assert task.assignee_id == world.users["manager"].id
    owners = set(world.session.scalars(select(Client.owner_id).where(Client.full_name.like("%manager2%"))))
    assert owners == {world.users["manager"].id}
    assert {world.session.get(Deal, d.id).owner_id for d in deals} == {world.users["manager"].id}


def test_a_senior_hands_a_lead_over_from_its_card_and_the_task_follows(world, client):
    lead = world.lead(company="ООО «Передача»", phone="+79160001122", territory="Москва",
                      industry="Логистика")
    world.session.refresh(lead)
    old = lead.assigned_to_id
    new = world.users["manager3"].id
    login(client, "senior")
    card = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    refused = client.post(f"/leads/{lead.id}/reassign", data={"csrf_token": csrf_from(card), "user_id": new})
    assert refused.status_code == 422 and "Укажите причину передачи" in refused.get_data(as_text=True)
    client.post(f"/leads/{lead.id}/reassign", data={"csrf_token": csrf_from(card), "user_id": new,
                                                    "reason": "Клиент просил другого менеджера"})
    [task] = world.open_tasks(lead)
    assert task.assignee_id == new
    [entry] = world.session.scalars(select(AuditLog).where(
        AuditLog.entity_type == "lead", AuditLog.field == "assigned_to_id", AuditLog.action == "update",
        AuditLog.reason.is_not(None))).all()
    assert (entry.old_value, entry.new_value, entry.reason) == (
        str(old), str(new), "Клиент просил другого менеджера")
