"""Lead notifications go through notify(): in the app, by e-mail as each manager chose, shared task alerts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.jobs import fire_due_timers
from engine.operations import OperationContext, call
from engine.tables import HumanTask
from models.notifications.service import KINDS, Notification, set_email_preferences
from models.sales.deals import Deal
from models.sales.distribution import reassign_deal


def _notes(world, kind: str) -> list[Notification]:
    world.session.expire_all()
    return list(world.session.scalars(select(Notification).where(Notification.kind == kind)
                                      .order_by(Notification.id)))


def _mailed_to(world, subject_start: str) -> list[str]:
    return [m.payload["to"] for m in world.mails(subject_start)]


def test_a_manager_who_switched_off_email_for_new_leads_sees_them_in_the_app_only(world):
    manager2, manager3 = world.users["manager2"], world.users["manager3"]
    set_email_preferences(world.session, manager2.id, {k for k in KINDS if k != "lead_assigned"})
    world.session.commit()

    first = world.lead(company="ООО «Тихий»", phone="+79030000011", territory="Казань")
    second = world.lead(company="ООО «Громкий»", phone="+79030000012", territory="Казань")

    world.session.refresh(first)
    world.session.refresh(second)
    assert (first.assigned_to_id, second.assigned_to_id) == (manager2.id, manager3.id)  # «Регионы», by load
    notes = _notes(world, "lead_assigned")
    assert [(n.user_id, n.object_type, n.object_id) for n in notes] == [
        (manager2.id, "lead", first.id), (manager3.id, "lead", second.id)]
    assert notes[0].title == f"Новый лид: {first.title}" and "Свяжитесь с клиентом" in notes[0].body
    assert [n.emailed for n in notes] == [False, True]
    assert _mailed_to(world, "Новый лид") == [manager3.email]  # the default still e-mails


def test_lead_reminder_and_escalation_are_the_shared_task_alerts_with_lead_kinds(world):
    manager2, senior = world.users["manager2"], world.users["senior"]
    set_email_preferences(world.session, manager2.id, {k for k in KINDS if k != "lead_reminder"})
    world.session.commit()
    lead = world.lead(company="АО «Медленно»", email="info@slow.ru", territory="Казань")
    [task] = world.open_tasks(lead)
    assert task.assignee_id == manager2.id

    world.clock.advance(timedelta(hours=3, minutes=1))
    fire_due_timers(world.factory, world.services)
    [reminder] = _notes(world, "lead_reminder")
    assert (reminder.user_id, reminder.object_type, reminder.object_id) == (
        manager2.id, "human_task", task.id)
    assert reminder.title == "Напоминание: Связаться с клиентом"
    # 06:00 UTC + 4 h, read in Moscow; the lead is named so the manager knows which one
    assert reminder.body == ("Не забудьте про задачу «Связаться с клиентом» (Лид: АО «Медленно»). "
                             "Срок: 12.01.2026 13:00.")
    assert not reminder.emailed and world.mails("Напоминание") == []
    assert world.session.get(HumanTask, task.id).reminded_at is not None

    for _ in range(3):
        world.clock.advance(timedelta(hours=2))
        fire_due_timers(world.factory, world.services)
    escalations = _notes(world, "lead_escalated")
    assert sorted(n.user_id for n in escalations) == sorted([senior.id, manager2.id])
    told = {n.user_id: n for n in escalations}
    assert told[senior.id].title == "Эскалация: просрочена задача «Связаться с клиентом»"
    assert told[senior.id].body.endswith("Задача передана вам.")
    assert f"Задача передана: {senior.full_name}." in told[manager2.id].body
    assert sorted(_mailed_to(world, "Эскалация")) == sorted([senior.email, manager2.email])
    assert world.session.get(HumanTask, task.id).escalated_at is not None


def test_a_qualified_lead_and_a_hand_over_notify_in_the_app_with_their_kinds(world):
    lead = world.lead(company="ООО «Быстро»", phone="+79030000013", territory="Казань")
    [task] = world.open_tasks(lead)
    world.complete(task, {"outcome": "qualified", "premium": "1000"}, task.assignee_id)
    [opened] = _notes(world, "deal_opened")
    world.session.refresh(lead)
    assert (opened.user_id, opened.object_type, opened.object_id) == (task.assignee_id, "deal", lead.deal_id)

    owner, manager3 = world.users["manager2"], world.users["manager3"]
    deal = world.session.get(Deal, lead.deal_id)
    assert deal.owner_id == owner.id
    set_email_preferences(world.session, owner.id, set())
    reassign_deal(world.session, world.users["senior"], deal.id, manager3.id, "Отпуск", world.clock.now())
    world.session.commit()
    notes = _notes(world, "handover")
    assert sorted(n.user_id for n in notes) == sorted([owner.id, manager3.id])
    assert all("Причина: Отпуск" in n.body for n in notes)
    assert _mailed_to(world, "Передача") == [manager3.email]  # the old owner switched e-mail off


def test_lead_remind_of_earlier_versions_is_the_shared_reminder_and_sent_once(world):
    lead = world.lead(company="ООО «Старая версия»", phone="+79030000014", territory="Казань")
    [task] = world.open_tasks(lead)
    context = OperationContext(session=world.session, clock=world.clock, instance_id=lead.instance_id)
    operations = world.services.operations
    assert call(operations, "leads.remind", context, {"lead_id": lead.id}) == {"sent": True}
    assert call(operations, "notify.task_reminder", context, {"task": "contact"}) == {"sent": False}
    world.session.commit()
    [reminder] = _notes(world, "lead_reminder")
    assert (reminder.user_id, reminder.object_id) == (task.assignee_id, task.id)
