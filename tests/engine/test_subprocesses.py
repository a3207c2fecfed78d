"""Embedded subprocesses and call activities: tasks inside them, data in and out."""

from decimal import Decimal
from uuid import UUID

from engine.tables import HumanTask


def test_embedded_subprocess_task_is_in_the_inbox_and_its_data_flows_on(harness):
    harness.deploy("features/embedded_subprocess.bpmn")
    instance = harness.start("embedded_subprocess", {"base": Decimal("1000")})
    [task] = harness.open_tasks(instance.id)
    assert (task.element_id, task.candidate_role) == ("review_offer", "senior_manager")
    assert task.process_key == "embedded_subprocess"
    harness.complete(task, {"ok": True})
    assert instance.status == "completed"
    data = harness.data(instance)
    assert data["final_price"] == Decimal("1200.00")
    events = harness.events(instance.id)
    assert events.index(("task_completed", "price")) < events.index(("user_task_completed", "review_offer"))
    assert events.index(("user_task_completed", "review_offer")) < events.index(("task_completed", "after"))
    assert ("task_completed", "prepare_offer") in events


def test_call_activity_runs_the_called_process_with_its_inputs_and_outputs(harness):
    result = harness.deploy("features/call_parent.bpmn", "features/call_child.bpmn")
    assert {(r.key, r.version) for r in result} == {("call_parent", 1), ("client_check", 1)}
    instance = harness.start("call_parent", {"inn": "7701234567", "secret": "не для вызываемого"},
                             business_type="deal", business_id=3)
    [task] = harness.open_tasks(instance.id)
    assert task.element_id == "assess"
    assert task.instance_id == instance.id
    assert (task.business_type, task.business_id) == ("deal", 3)
    assert task.candidate_role == "underwriter"
    workflow = harness.engine().load(instance)
    inner = workflow.get_task_from_id(UUID(task.task_uuid))
    assert inner.data.get("inn") == "7701234567"
    assert "secret" not in inner.data  # only declared inputs go in

    harness.complete(task, {"points": 3})
    assert instance.status == "completed"
    data = harness.data(instance)
    assert data["risk_score"] == 30
    assert data["deal_allowed"] is True
    assert data["secret"] == "не для вызываемого"
    assert "internal_note" not in data and "points" not in data  # only declared outputs come back
    assert harness.session.query(HumanTask).filter_by(instance_id=instance.id).one().status == "completed"
    events = harness.events(instance.id)
    assert ("user_task_completed", "assess") in events
    assert ("task_completed", "check_client") in events
