"""Multi-instance user tasks: one approver per item, sequential and parallel, completion condition."""

from sqlalchemy import select

from engine.tables import HumanTask

APPROVERS = ["lawyer", "underwriter", "head"]


def _all_rows(harness, instance_id):
    harness.session.expire_all()
    return list(harness.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)))


def test_sequential_multi_instance_asks_each_approver_in_turn(harness, demo_users):
    harness.deploy("features/mi_sequential.bpmn")
    instance = harness.start("mi_sequential", {"approvers": APPROVERS})
    for login in APPROVERS:
        [task] = harness.open_tasks(instance.id)
        assert task.element_id == "approve"
        assert task.assignee_id == demo_users[login].id
        harness.complete(task, {"decision": "approve"}, demo_users[login].id)
    assert instance.status == "completed"
    data = harness.data(instance)
    assert data["decisions"] == ["approve", "approve", "approve"]
    assert data["approved"] is True
    assert "approver" not in data and "decision" not in data
    rows = _all_rows(harness, instance.id)
    assert [(r.assignee_id, r.status, r.completed_by_id) for r in rows] == [
        (demo_users[login].id, "completed", demo_users[login].id) for login in APPROVERS]
    events = harness.events(instance.id)
    assert events.count(("user_task_completed", "approve")) == 3
    assert events.count(("task_completed", "tally")) == 1


def test_parallel_multi_instance_opens_all_and_moves_on_when_all_approve(harness, demo_users):
    harness.deploy("features/mi_parallel.bpmn")
    instance = harness.start("mi_parallel", {"approvers": APPROVERS})
    tasks = harness.open_tasks(instance.id)
    assert sorted(t.assignee_id for t in tasks) == sorted(demo_users[x].id for x in APPROVERS)
    for task in tasks[:-1]:
        harness.complete(task, {"decision": "approve"})
        assert instance.status == "running"
    harness.complete(tasks[-1], {"decision": "approve"})
    assert instance.status == "completed"
    data = harness.data(instance)
    assert data["decisions"] == ["approve", "approve", "approve"]
    assert data["approved"] is True


def test_parallel_multi_instance_completion_condition_first_rejection_ends_it(harness, demo_users):
    harness.deploy("features/mi_parallel.bpmn")
    instance = harness.start("mi_parallel", {"approvers": APPROVERS})
    by_assignee = {t.assignee_id: t for t in harness.open_tasks(instance.id)}
    harness.complete(by_assignee[demo_users["lawyer"].id], {"decision": "approve"})
    harness.complete(by_assignee[demo_users["underwriter"].id], {"decision": "reject"})
    assert instance.status == "completed"
    assert harness.open_tasks(instance.id) == []
    rows = {r.assignee_id: r.status for r in _all_rows(harness, instance.id)}
    assert rows == {demo_users["lawyer"].id: "completed", demo_users["underwriter"].id: "completed",
                    demo_users["head"].id: "cancelled"}
    data = harness.data(instance)
    assert data["approved"] is False
    assert data["decisions"] == ["approve", "reject"]
