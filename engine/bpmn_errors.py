"""Turning an operation's ``BpmnErrorRaised`` into a BPMN error thrown from its task.

SpiffWorkflow treats every Python exception in a task as a technical failure (the task
goes to ERROR). For a ``BpmnErrorRaised`` the engine instead throws an error event with
the given code from the failed task's (sub)process, as an error end event would; an error
boundary event on the task or an enclosing subprocess then cancels it and takes its own
path. When nothing catches the code, the task is put back in ERROR and the caller raises
an incident.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.errors import BpmnErrorRaised


def raised_error(exc: BaseException) -> BpmnErrorRaised | None:
    """The ``BpmnErrorRaised`` behind a task failure, if that is what it was."""
    cause = exc.__cause__
    return cause if isinstance(cause, BpmnErrorRaised) else None


def throw(task: Any, error: BpmnErrorRaised) -> bool:
    """Throw ``error`` from failed ``task``; True if a catch event took it."""
    top = task.workflow.top_workflow
    uncaught_before = len(top.bpmn_events)
    task._set_state(TaskState.STARTED)  # unfinished again, so the boundary can cancel it
    definition = ErrorEventDefinition(error.code, code=error.code)
    top.catch(BpmnEvent(definition, payload=dict(error.payload), target=task.workflow))
    if len(top.bpmn_events) > uncaught_before:  # SpiffWorkflow parks what nobody caught
        del top.bpmn_events[uncaught_before:]
        task._set_state(TaskState.ERROR)
        return False
    return True
