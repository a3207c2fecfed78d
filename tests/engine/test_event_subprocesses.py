"""Event subprocesses: an interrupting message cancels the main flow; a timer reminds without."""

from datetime import timedelta

from sqlalchemy import select

from engine.jobs import fire_due_timers
from engine.tables import HumanTask, Subscription


def _rows(harness, instance_id):
    harness.session.expire_all()
    return {r.element_id: r.status for r in harness.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id))}


def test_interrupting_message_event_subprocess_cancels_the_open_task(harness, clock):
    harness.deploy("features/event_subprocesses.bpmn")
    instance = harness.start("event_subprocesses", business_type="lead", business_id=11)
    [task] = harness.open_tasks(instance.id)
    assert task.element_id == "work_request"
    names = set(harness.session.scalars(select(Subscription.name).where(
        Subscription.instance_id == instance.id)))
    assert names == {"request_withdrawn"}

    result = harness.engine().send_message("request_withdrawn", {"lead_id": 11},
                          {"reason": "купили у конкурента"}, None)
    harness.session.commit()
    assert (result.status, result.instance_ids) == ("delivered", [instance.id])
    harness.session.refresh(instance)
    assert instance.status == "completed"
    assert _rows(harness, instance.id) == {"work_request": "cancelled"}
    assert harness.data(instance)["withdrawn_reason"] == "купили у конкурента"
    events = harness.events(instance.id)
    assert ("task_completed", "record_withdrawal") in events
    assert ("user_task_completed", "work_request") not in events
    assert instance.next_timer_at is None  # the reminder timer went with the main flow
    clock.advance(timedelta(days=2))
    assert fire_due_timers(harness.factory, harness.services) == 0


def test_each_instance_is_interrupted_only_by_its_own_message(harness):
    harness.deploy("features/event_subprocesses.bpmn")
    first = harness.start("event_subprocesses", business_type="lead", business_id=21)
    second = harness.start("event_subprocesses", business_type="lead", business_id=22)
    harness.engine().send_message("request_withdrawn", {"lead_id": 21}, {"reason": "раз"}, None)
    harness.session.commit()
    harness.session.refresh(second)
    assert second.status == "running"
    assert [t.element_id for t in harness.open_tasks(second.id)] == ["work_request"]
    third = harness.start("event_subprocesses", business_type="lead", business_id=23)
    for instance, reason in ((second, "два"), (third, "три")):
        lead_id = instance.business_id
        harness.engine().send_message("request_withdrawn", {"lead_id": lead_id}, {"reason": reason}, None)
        harness.session.commit()
        harness.session.refresh(instance)
        assert instance.status == "completed"
        assert harness.data(instance)["withdrawn_reason"] == reason
    harness.session.refresh(first)
    assert harness.data(first)["withdrawn_reason"] == "раз"


def test_non_interrupting_timer_event_subprocess_reminds_and_leaves_the_task_open(harness, clock):
    harness.deploy("features/event_subprocesses.bpmn")
    instance = harness.start("event_subprocesses")
    assert instance.next_timer_at == clock.now() + timedelta(days=1)
    clock.advance(timedelta(days=1, minutes=1))
    assert fire_due_timers(harness.factory, harness.services) == 1
    harness.session.refresh(instance)
    tasks = {t.element_id: t for t in harness.open_tasks(instance.id)}
    assert set(tasks) == {"work_request", "remind_manager"}
    assert tasks["remind_manager"].candidate_role == "senior_manager"
    assert ("timer_fired", "remind_timer") in harness.events(instance.id)

    harness.complete(tasks["remind_manager"], {})
    assert instance.status == "running"
    harness.complete(tasks["work_request"], {})
    assert instance.status == "completed"
    assert _rows(harness, instance.id) == {"work_request": "completed", "remind_manager": "completed"}


def test_finishing_the_main_flow_completes_the_process_and_withdraws_unfired_event_subprocesses(
        harness, clock):
    harness.deploy("features/event_subprocesses.bpmn")
    instance = harness.start("event_subprocesses", business_type="lead", business_id=31)
    [task] = harness.open_tasks(instance.id)
    harness.complete(task, {})
    assert instance.status == "completed"
    assert instance.next_timer_at is None
    assert harness.session.scalars(select(Subscription).where(
        Subscription.instance_id == instance.id)).all() == []
    clock.advance(timedelta(days=2))
    assert fire_due_timers(harness.factory, harness.services) == 0
    late = harness.engine().send_message("request_withdrawn", {"lead_id": 31}, {"reason": "поздно"}, None)
    harness.session.commit()
    assert late.status == "unmatched"
    assert "withdrawn_reason" not in harness.data(instance)
