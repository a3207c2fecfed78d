"""The engine's workflow class: SpiffWorkflow's task-tree walks, same tasks in the same order, cheaper.

A step of the engine walks the whole task tree many times: ``do_engine_steps`` asks for the ready
tasks before each round, and every completed task makes the workflow update its waiting tasks.
SpiffWorkflow's ``BpmnTaskIterator`` pays per task for its depth bookkeeping (walking parents at
every leaf), for ``Task.children``/``Task.parent`` lookups and a filter object; on ``bench_lead``
the walks were an eighth of the engine's CPU (issue 15). ``CrmWorkflow`` answers the two
calls that make those walks — ``get_tasks`` asked by state (and ``manual``) alone, and
``update_waiting_tasks`` — with ``walk``: the same pre-order, depth-first traversal with the same
rules for where to descend (a task's children when its state is at least the filter's lowest
state; a subprocess's tree by the library's own test, ``state >= FINISHED_MASK``, which compares
one state with the mask 448 that no single state reaches, so in effect always), so it yields the
same tasks in the same order. Like the library it decides a task's children when it
reaches the task and its state when it yields it, so ``update_waiting_tasks``, which changes the
tree while walking it, sees the tree as the library's walk would. Every other query goes to the
library unchanged.

One difference, on purpose: the library stops descending at a depth of 1 000 (by its own count);
this walk has no such limit, so a loop that ran a thousand times stays visible.

``CRM_ENGINE_WALK_CHECK=1`` (set by the test suite) runs the library's walk beside every answer
and raises ``AssertionError`` on any difference, so every process the tests run checks the claim.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

_FINISHED = TaskState.FINISHED_MASK
_FAST_KEYS = frozenset({"state", "manual"})


def _lowest_state(state: int) -> int:
    """The state below which the library does not descend into a task's children for ``state``."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


def walk(workflow: BpmnWorkflow, state: int, manual: bool | None = None) -> Iterator[Any]:
    """The tasks of ``workflow`` and its subprocesses in ``state`` (and with ``manual``, if given),
    in ``BpmnTaskIterator``'s order; lazily, as the library does."""
    lowest = _lowest_state(state)
    subprocesses = workflow.top_workflow.subprocesses
    finished_subprocesses_too = not state <= _FINISHED
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        here = task._state
        subprocess = subprocesses.get(task.id)
        if subprocess is None:
            if task._children and here >= lowest:
                known = task.workflow.tasks
                stack.extend([known.get(child) for child in reversed(task._children)])
        else:
            known = task.workflow.tasks
            below = [known.get(child) for child in task._children]
            if here < _FINISHED or finished_subprocesses_too:
                below.insert(0, subprocess.task_tree)
            below.reverse()
            stack.extend(below)
        if task._state & state and (manual is None or task.task_spec.manual == manual):
            yield task


class CrmWorkflow(BpmnWorkflow):
    """A ``BpmnWorkflow`` whose hot tree walks are ``walk``; stored and restored as one."""

    def get_tasks(self, first_task: Any = None, **kwargs: Any) -> list[Any]:
        if first_task is not None or "state" not in kwargs or not kwargs.keys() <= _FAST_KEYS:
            return super().get_tasks(first_task, **kwargs)
        found = list(walk(self, kwargs["state"], kwargs.get("manual")))
        if _CHECK:
            _same(found, super().get_tasks(None, **kwargs), kwargs)
        return found

    def update_waiting_tasks(self) -> None:
        if _CHECK:
            _same(list(walk(self, TaskState.WAITING)), super().get_tasks(None, state=TaskState.WAITING),
                  {"state": TaskState.WAITING})
        for task in walk(self, TaskState.WAITING):
            task.task_spec._update(task)


_CHECK = os.environ.get("CRM_ENGINE_WALK_CHECK") == "1"


def _same(found: list[Any], expected: list[Any], asked: dict[str, Any]) -> None:
    if [t.id for t in found] != [t.id for t in expected]:
        raise AssertionError(
            f"task walk {asked} differs from SpiffWorkflow's: {[t.task_spec.name for t in found]} "
            f"against {[t.task_spec.name for t in expected]}"
        )
