"""Timers: intermediate, boundary (interrupting and not), and two schedulers firing once."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.jobs import fire_due_timers
from engine.tables import ProcessEvent


def test_intermediate_timer_waits_then_fires_once(harness, clock):
    harness.deploy("timer_intermediate.bpmn")
    instance = harness.start("timer_intermediate")
    assert instance.status == "waiting"
    assert instance.next_timer_at == clock.now() + timedelta(minutes=1)
    assert fire_due_timers(harness.factory, harness.services) == 0
    clock.advance(timedelta(seconds=61))
    assert fire_due_timers(harness.factory, harness.services) == 1
    harness.session.refresh(instance)
    assert instance.status == "completed" and instance.next_timer_at is None
    assert harness.events(instance.id).count(("timer_fired", "wait")) == 1
    assert fire_due_timers(harness.factory, harness.services) == 0


def test_boundary_timers_remind_without_interrupting_then_escalate(harness, clock):
    harness.deploy("boundary_timers.bpmn")
    instance = harness.start("boundary_timers")
    [call] = harness.open_tasks(instance.id)
    assert call.candidate_role == "manager"
    assert instance.next_timer_at == clock.now() + timedelta(minutes=30)

    clock.advance(timedelta(minutes=31))
    fire_due_timers(harness.factory, harness.services)
    assert [t.element_id for t in harness.open_tasks(instance.id)] == ["call"]  # still open
    assert harness.events(instance.id).count(("timer_fired", "reminder")) == 1
    harness.session.refresh(instance)
    assert instance.next_timer_at == call.created_at + timedelta(hours=2)

    clock.advance(timedelta(hours=2))
    fire_due_timers(harness.factory, harness.services)
    harness.session.expire_all()
    [escalation] = harness.open_tasks(instance.id)
    assert (escalation.element_id, escalation.candidate_role) == ("escalate", "senior_manager")
    assert harness.session.get(type(call), call.id).status == "cancelled"
    assert harness.events(instance.id).count(("timer_fired", "reminder")) == 1


def test_completing_before_the_timer_removes_it(harness, clock):
    harness.deploy("boundary_timers.bpmn")
    instance = harness.start("boundary_timers")
    harness.complete(harness.open_tasks(instance.id)[0])
    assert instance.status == "completed" and instance.next_timer_at is None
    clock.advance(timedelta(hours=3))
    assert fire_due_timers(harness.factory, harness.services) == 0


@pytest.mark.parametrize("count", [100])
def test_two_scheduler_loops_fire_each_timer_exactly_once(harness, clock, count):
    harness.deploy("timer_intermediate.bpmn")
    for _ in range(count):
        harness.engine().start("timer_intermediate")
    harness.session.commit()
    clock.advance(timedelta(minutes=2))
    fired: list[int] = []
    errors: list[BaseException] = []

    def loop() -> None:
        try:
            for _ in range(5):
                fired.append(fire_due_timers(harness.factory, harness.services, limit=1000))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert sum(fired) == count
    per_instance = harness.session.execute(
        select(ProcessEvent.instance_id, func.count()).where(ProcessEvent.kind == "timer_fired")
        .group_by(ProcessEvent.instance_id)).all()
    assert len(per_instance) == count
    assert {n for _, n in per_instance} == {1}
    scripts = harness.session.scalar(select(func.count()).where(
        ProcessEvent.kind == "task_completed", ProcessEvent.element_id == "after"))
    assert scripts == count


def test_time_date_timer_fires_at_the_given_moment(harness, clock):
    harness.deploy("timer_date.bpmn")
    wake_at = clock.now() + timedelta(days=2, hours=3)
    instance = harness.start("timer_date", {"wake_at": wake_at.isoformat()})
    assert instance.status == "waiting" and instance.next_timer_at == wake_at
    clock.advance(timedelta(days=2))
    assert fire_due_timers(harness.factory, harness.services) == 0
    clock.advance(timedelta(hours=3, seconds=1))
    assert fire_due_timers(harness.factory, harness.services) == 1
    harness.session.refresh(instance)
    assert instance.status == "completed"
