"""lead_handling end to end on the engine: routing rule, reminder, escalation once, outcomes."""

from datetime import timedelta

from sqlalchemy import select

from engine.jobs import fire_due_timers
from engine.tables import ProcessEvent
from models.sales.deals import Deal
from models.sales.leads import Lead


def test_moscow_logistics_lead_goes_to_the_team_and_becomes_a_deal(world):
    lead = world.lead(name="Анна Ковалёва", company="ООО «Грузовичок»", phone="8 (916) 123-45-67",
                      territory="Москва", industry="Логистика")
    [task] = world.open_tasks(lead)
    world.session.refresh(lead)
    assert lead.team_code == "moscow_logistics" and lead.funnel_code == "company"
    assert task.title == "Связаться с клиентом" and task.assignee_id == lead.assigned_to_id
    assert task.assignee_id in {world.users["manager"].id, world.users["manager2"].id}
    assert task.due_at == world.clock.now() + timedelta(hours=4)
    assert "территория Москва, отрасль Логистика, загрузка 0" in lead.routing_reason
    world.complete(task, {"outcome": "qualified", "premium": "150000", "product": "ДМС"}, task.assignee_id)
    world.session.refresh(lead)
    deal = world.session.get(Deal, lead.deal_id)
    assert (lead.status, deal.funnel.code, deal.stage.code) == ("qualified", "company", "new")
    assert deal.owner_id == task.assignee_id and str(deal.premium) == "150000.00"
    assert deal.client.phone == "+79161234567" and deal.client.owner_id == task.assignee_id
    assert world.mails("Новая сделка")


def test_not_relevant_needs_a_reason(world):
    from engine.errors import FormValidationError

    lead = world.lead(name="Пётр", phone="+7 903 000-00-01")
    [task] = world.open_tasks(lead)
    try:
        world.complete(task, {"outcome": "not_relevant"}, task.assignee_id)
    except FormValidationError as exc:
        assert exc.errors == {"reason": ["Обязательное поле"]}
    else:
        raise AssertionError("form without a reason was accepted")
    world.session.rollback()
    world.complete(task, {"outcome": "not_relevant", "reason": "Ошиблись номером"}, task.assignee_id)
    world.session.refresh(lead)
    assert (lead.status, lead.rejection_reason, lead.deal_id) == ("rejected", "Ошиблись номером", None)


def test_unworked_lead_reminds_then_escalates_to_the_senior_manager_exactly_once(world):
    lead = world.lead(company="АО «Медленно»", email="info@slow.ru", territory="Казань")
    [task] = world.open_tasks(lead)
    world.session.refresh(lead)
    assert lead.team_code == "regions"
    world.clock.advance(timedelta(hours=3, minutes=1))
    fire_due_timers(world.factory, world.services)
    assert [t.id for t in world.open_tasks(lead)] == [task.id]
    assert len(world.mails("Напоминание")) == 1
    for _ in range(3):
        world.clock.advance(timedelta(hours=2))
        fire_due_timers(world.factory, world.services)
    [senior_task] = world.open_tasks(lead)
    assert senior_task.element_id == "contact_senior"
    assert senior_task.assignee_id == world.users["senior"].id
    escalations = world.session.scalars(select(ProcessEvent).where(
        ProcessEvent.instance_id == lead.instance_id, ProcessEvent.element_id == "escalate",
        ProcessEvent.kind == "task_completed")).all()
    assert len(escalations) == 1
    manager = next(u for u in world.users.values() if u.id == task.assignee_id)
    assert sorted(m.payload["to"] for m in world.mails("Эскалация")) == sorted(
        ["senior@demo.crm.local", manager.email])
    world.session.refresh(lead)
    assert lead.status == "escalated" and lead.assigned_to_id == world.users["senior"].id
    world.complete(senior_task, {"outcome": "qualified"}, world.users["senior"].id)
    deal = world.session.scalar(select(Deal).where(Deal.lead_id == lead.id))
    assert deal.owner_id == world.users["senior"].id
    assert world.session.get(Lead, lead.id).status == "qualified"
