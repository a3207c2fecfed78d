"""``engine.task_walk``: the engine's tree walks answer what SpiffWorkflow's answer, in its order.

The test suite also runs every walk beside the library's (``CRM_ENGINE_WALK_CHECK``, set in
``tests/conftest.py``); here the claim is checked head-on for every state a query may ask, on
models with parallel branches, an embedded subprocess, a call activity and multi-instance tasks,
at every step until they end, and the check itself is shown to fail on a different order.
"""

from __future__ import annotations

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskState

from engine.task_walk import CrmWorkflow, _same, walk

STATES = [TaskState.READY, TaskState.WAITING, TaskState.FUTURE, TaskState.COMPLETED, TaskState.MAYBE,
          TaskState.LIKELY, TaskState.FINISHED_MASK, TaskState.DEFINITE_MASK, TaskState.PREDICTED_MASK,
          TaskState.NOT_FINISHED_MASK, TaskState.ANY_MASK, TaskState.WAITING | TaskState.FUTURE]

ANSWERS = {"risk_review": {"risk_ok": True}, "legal_review": {"legal_ok": True}, "review_offer": {"ok": True},
           "assess": {"points": 3}}
MODELS = [
    (("features/parallel.bpmn",), "parallel_review", {}),
    (("features/embedded_subprocess.bpmn",), "embedded_subprocess", {"base": 1000}),
    (("features/call_parent.bpmn", "features/call_child.bpmn"), "call_parent", {"inn": "7701234567"}),
    (("features/mi_parallel.bpmn",), "mi_parallel", {"approvers": ["lawyer", "underwriter", "head"]}),
    (("features/inclusive.bpmn",), "inclusive_checks", {"amount": 5_000_000, "foreign": False}),
]


def _library(workflow, state, manual=None):
    kwargs = {"state": state} if manual is None else {"state": state, "manual": manual}
    return [t.id for t in BpmnTaskIterator(workflow.task_tree, **kwargs)]


def _compare_every_state(workflow) -> int:
    compared = 0
    for state in STATES:
        assert [t.id for t in walk(workflow, state)] == _library(workflow, state), TaskState.get_name(state)
        compared += 1
    for manual in (True, False):
        assert [t.id for t in walk(workflow, TaskState.READY, manual)] == _library(workflow, TaskState.READY,
                                                                                    manual)
    return compared


@pytest.mark.parametrize(("paths", "key", "data"), MODELS, ids=[m[1] for m in MODELS])
def test_the_walk_yields_the_librarys_tasks_in_its_order_at_every_step(harness, demo_users, paths, key, data):
    harness.deploy(*paths)
    instance = harness.start(key, data)
    steps = 0
    while True:
        workflow = harness.engine().load(instance)
        assert isinstance(workflow, CrmWorkflow)
        assert len(workflow.tasks) > 3
        assert _compare_every_state(workflow) == len(STATES)
        tasks = harness.open_tasks(instance.id)
        if not tasks:
            break
        harness.complete(tasks[0], ANSWERS.get(tasks[0].element_id, {"decision": "approve"}))
        steps += 1
    assert steps >= 1, "the model waited for nobody"
    assert instance.status == "completed"


def test_the_check_names_both_orders_when_they_differ(harness):
    harness.deploy("features/parallel.bpmn")
    instance = harness.start("parallel_review", {})
    workflow = harness.engine().load(instance)
    found = list(walk(workflow, TaskState.ANY_MASK))
    _same(found, list(found), {"state": TaskState.ANY_MASK})
    with pytest.raises(AssertionError, match="differs from SpiffWorkflow's"):
        _same(found, list(reversed(found)), {"state": TaskState.ANY_MASK})


def test_the_stored_state_keeps_the_librarys_type_name(harness, session):
    from engine.tables import ProcessInstance

    harness.deploy("features/parallel.bpmn")
    instance = harness.start("parallel_review", {})
    state = session.get(ProcessInstance, instance.id).state_json
    assert '"typename":"BpmnWorkflow"' in state and "CrmWorkflow" not in state
