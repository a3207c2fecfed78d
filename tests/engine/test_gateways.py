"""Gateways: parallel fork/join, inclusive split/merge, event-based (message or timer)."""

from datetime import timedelta

import pytest

from engine.jobs import fire_due_timers


def _open(harness, instance_id):
    return {t.element_id: t for t in harness.open_tasks(instance_id)}


def test_parallel_gateway_opens_both_tasks_and_joins_only_after_both(harness):
    harness.deploy("features/parallel.bpmn")
    instance = harness.start("parallel_review")
    tasks = _open(harness, instance.id)
    assert set(tasks) == {"legal_review", "risk_review"}
    assert tasks["legal_review"].candidate_role == "lawyer"
    assert tasks["risk_review"].candidate_role == "underwriter"

    harness.complete(tasks["risk_review"], {"risk_ok": True})
    assert instance.status == "running"
    assert set(_open(harness, instance.id)) == {"legal_review"}
    assert ("task_completed", "summarize") not in harness.events(instance.id)

    harness.complete(tasks["legal_review"], {"legal_ok": True})
    assert instance.status == "completed"
    assert harness.data(instance)["approved"] is True
    kinds = harness.events(instance.id)
    assert kinds.count(("task_completed", "join")) == 1
    assert kinds.index(("task_completed", "join")) > kinds.index(("user_task_completed", "legal_review"))
    assert kinds[-1] == ("instance_completed", None)


@pytest.mark.parametrize("data, expected", [
    ({"amount": 500_000, "foreign": False}, {"risk_check"}),
    ({"amount": 5_000_000, "foreign": False}, {"legal_check", "risk_check"}),
])
def test_inclusive_gateway_takes_the_true_branches_and_merges_only_those(harness, data, expected):
    harness.deploy("features/inclusive.bpmn")
    instance = harness.start("inclusive_checks", data)
    tasks = _open(harness, instance.id)
    assert set(tasks) == expected
    for element in sorted(expected):
        assert "checks_done" not in harness.data(instance)
        harness.complete(tasks[element], {})
    assert instance.status == "completed"
    assert harness.data(instance)["checks_done"] is True
    events = harness.events(instance.id)
    assert events.count(("task_completed", "done_checks")) == 1
    assert ("user_task_completed", "security_check") not in events


def test_event_gateway_message_wins_and_the_timer_is_withdrawn(harness, clock):
    harness.deploy("features/event_gateway.bpmn")
    instance = harness.start("await_signature", business_type="deal", business_id=5)
    assert instance.status == "waiting"
    assert instance.next_timer_at == clock.now() + timedelta(days=3)

    result = harness.engine().send_message("contract_signed", {"deal_id": 5}, {"signer": "Иванов"}, None)
    harness.session.commit()
    assert result.status == "delivered" and result.instance_ids == [instance.id]
    harness.session.refresh(instance)
    assert instance.status == "completed"
    assert instance.next_timer_at is None
    data = harness.data(instance)
    assert (data["outcome"], data["signed_by"]) == ("signed", "Иванов")

    clock.advance(timedelta(days=4))
    assert fire_due_timers(harness.factory, harness.services) == 0
    events = harness.events(instance.id)
    assert ("event_caught", "wait") in events  # the gateway catches; its branch follows
    assert ("task_completed", "signed") in events
    assert ("task_completed", "timeout") not in events
    assert harness.open_tasks(instance.id) == []


def test_event_gateway_timer_wins_and_the_message_is_no_longer_awaited(harness, clock):
    harness.deploy("features/event_gateway.bpmn")
    instance = harness.start("await_signature", business_type="deal", business_id=6)
    clock.advance(timedelta(days=2))
    assert fire_due_timers(harness.factory, harness.services) == 0
    clock.advance(timedelta(days=1, seconds=1))
    assert fire_due_timers(harness.factory, harness.services) == 1
    harness.session.refresh(instance)
    [task] = harness.open_tasks(instance.id)
    assert task.element_id == "chase_client"
    assert instance.status == "running"
    assert ("timer_fired", "wait") in harness.events(instance.id)
    assert ("task_completed", "signed") not in harness.events(instance.id)

    late = harness.engine().send_message("contract_signed", {"deal_id": 6}, {"signer": "Иванов"}, None)
    harness.session.commit()
    assert late.status == "unmatched"
    harness.complete(task, {})
    assert instance.status == "completed"
    assert "outcome" not in harness.data(instance)


def test_event_gateway_timer_already_due_wins_over_a_later_message(harness, clock):
    harness.deploy("features/event_gateway.bpmn")
    instance = harness.start("await_signature", business_type="deal", business_id=7)
    clock.advance(timedelta(days=3, minutes=5))  # due, but the scheduler has not run yet
    result = harness.engine().send_message("contract_signed", {"deal_id": 7}, {"signer": "Иванов"}, None)
    harness.session.commit()
    assert (result.status, result.instance_ids) == ("unmatched", [])
    harness.session.refresh(instance)
    assert [t.element_id for t in harness.open_tasks(instance.id)] == ["chase_client"]
    events = harness.events(instance.id)
    assert ("timer_fired", "wait") in events
    assert ("task_completed", "signed") not in events
    assert ("task_completed", "record_signature") not in events  # one branch only
    assert "outcome" not in harness.data(instance)
    assert fire_due_timers(harness.factory, harness.services) == 0
