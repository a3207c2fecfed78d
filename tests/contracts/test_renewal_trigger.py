"""Acceptance 1: the daily trigger starts one renewal per contract, across two schedulers and restarts;
14 days before the end without a КП the senior manager is pulled in exactly once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from engine.tables import HumanTask, ProcessInstance
from models.contracts.renewals import ContractRenewal, RenewalStatus
from models.notifications.service import Notification
from models.sales.deals import Deal


def _escalations(world, instance_id=None):
    stmt = select(HumanTask.id).where(HumanTask.element_id == "escalation")
    if instance_id is not None:
        stmt = stmt.where(HumanTask.instance_id == instance_id)
    return world.count(stmt)


def test_kasko_45_days_before_the_end_starts_one_renewal_with_its_tasks_then_one_escalation(world, session):
    monday = date(2026, 3, 2)
    kasko = world.contract(ends_on=monday + timedelta(days=45), product="КАСКО")
    later = world.contract(ends_on=monday + timedelta(days=46), product="КАСКО")  # not yet in its window
    property_ = world.contract(ends_on=monday + timedelta(days=45), product="Имущество")  # window 30

    world.at(monday)  # 09:00:30 Moscow: the cron fired 30 s ago
    world.tick(schedulers=2)
    world.tick(schedulers=2)

    assert len(world.instances("renewal_trigger")) == 1
    [process] = world.instances("renewal")
    renewal = world.renewal(kasko)
    assert (renewal.status, renewal.instance_id, renewal.window_days) == (
        RenewalStatus.STARTED,
        process.id,
        45,
    )
    assert world.renewal(later) is None and world.renewal(property_) is None
    assert (process.business_type, process.business_id) == ("contract", kasko.id)
    [deal] = session.scalars(select(Deal).where(Deal.id == renewal.deal_id)).all()
    assert (deal.funnel.code, deal.stage.code, deal.owner_id) == (
        "renewal",
        "preparation",
        world.users["manager"].id,
    )
    assert deal.expected_close_date == kasko.ends_on and deal.product_lines == ["КАСКО"]
    assert world.count(select(Deal.id).where(Deal.funnel.has(code="renewal"))) == 1
    tasks = world.open_tasks(process.id)
    assert sorted(t.element_id for t in tasks) == ["contact_dm", "prepare_offer"]
    assert {t.assignee_id for t in tasks} == {world.users["manager"].id}
    started = session.scalars(select(Notification).where(Notification.kind == "renewal_started")).all()
    assert [n.user_id for n in started] == [world.users["manager"].id]

    world.at(kasko.ends_on - timedelta(days=14))  # 09:00:30 Moscow, 14 days left, no КП sent
    world.tick(schedulers=2)
    world.tick(schedulers=2)
    assert _escalations(world, process.id) == 1
    [escalation] = world.open_tasks(process.id, "escalation")
    assert escalation.assignee_id == world.users["senior"].id
    notes = session.scalars(
        select(Notification).where(
            Notification.kind == "renewal_escalated", Notification.object_id == deal.id
        )
    ).all()
    assert [n.user_id for n in notes] == [world.users["senior"].id]
    assert "КП на продление не отправлено" in notes[0].body
    assert world.renewal(kasko).escalated_at is not None
    # Today's trigger queued the two others (in their windows now), nothing more for this one.
    assert sorted(i.business_id for i in world.instances("renewal")) == sorted(
        [kasko.id, later.id, property_.id]
    )
    world.tick()
    assert _escalations(world, process.id) == 1


def test_a_second_trigger_run_or_a_restart_queues_nothing_twice(world, session):
    monday = date(2026, 3, 2)
    contract = world.contract(ends_on=monday + timedelta(days=20), product="Имущество")
    world.at(monday, 10)
    for _ in range(2):  # two manual runs of the trigger (a restart, a second scheduler)
        world.engine().start("renewal_trigger", {})
        session.commit()
    assert world.count(select(ContractRenewal.id)) == 1
    assert world.renewal(contract).status == RenewalStatus.QUEUED
    world.tick(schedulers=2)
    world.tick()
    assert len(world.instances("renewal")) == 1
    # two by hand and today's 09:00 run by the scheduler: three runs, one renewal
    assert (
        world.count(select(ProcessInstance.id).where(ProcessInstance.process_key == "renewal_trigger")) == 3
    )


def test_an_offer_sent_in_time_means_no_escalation(world, session):
    monday = date(2026, 3, 2)
    contract = world.contract(ends_on=monday + timedelta(days=40), product="КАСКО")
    world.at(monday)
    world.tick()
    [process] = world.instances("renewal")
    [offer] = world.open_tasks(process.id, "prepare_offer")
    from models.tasks.process_tasks import complete_process_task

    complete_process_task(session, world.engine(), world.users["manager"], offer.id, {"premium": "1250000"})
    session.commit()
    deal = session.get(Deal, world.renewal(contract).deal_id)
    assert deal.stage.code == "offer_sent" and deal.premium == 1250000
    world.at(contract.ends_on - timedelta(days=13))
    world.tick()
    assert _escalations(world) == 0


def test_the_renewal_of_an_absent_managers_client_goes_to_the_deputy(world, session):
    from models.identity.users import Absence

    monday = date(2026, 3, 2)
    session.add(
        Absence(user_id=world.users["manager"].id, starts_on=monday, ends_on=monday + timedelta(days=14))
    )
    session.commit()
    contract = world.contract(ends_on=monday + timedelta(days=30), product="КАСКО")
    world.at(monday)
    world.tick()
    [process] = world.instances("renewal")
    deputy = world.users["manager2"].id
    assert session.get(Deal, world.renewal(contract).deal_id).owner_id == deputy
    assert {t.assignee_id for t in world.open_tasks(process.id)} == {deputy}
