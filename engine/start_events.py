"""Starting a new workflow at a timer or message start event, on the engine's clock.

The scheduler decides when a timer start event is due (``engine.schedules``, which also
reads cron cycles SpiffWorkflow cannot), and a message start event is caught as soon as
the workflow exists; both are applied here before the instance's first step runs.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.clock_bridge import using_clock
from models.platform.clock import Clock


def fire_start_timer(workflow: BpmnWorkflow, clock: Clock) -> list[Any]:
    """Fire the timer start event as it is; returns the specs of the timers that fired.

    SpiffWorkflow would evaluate the timer again and cannot read a cron cycle, so the
    timer start event is marked fired before it is first reached; a cycle start event
    gets the path after it, which SpiffWorkflow only adds when its own cycle elapses.
    """
    def timer_starts(state: TaskState) -> list[Any]:
        return [t for t in workflow.get_tasks(state=state) if isinstance(t.task_spec, StartEvent)
                and isinstance(getattr(t.task_spec, "event_definition", None), TimerEventDefinition)]

    for task in timer_starts(TaskState.NOT_FINISHED_MASK):
        task._set_internal_data(event_fired=True)
        if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition) and not task.children:
            for output in task.task_spec.outputs:
                child = task._add_child(output, TaskState.FUTURE)
                child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
    with using_clock(clock):
        workflow.do_engine_steps()
        for task in timer_starts(TaskState.WAITING):
            task.complete()
    return [t.task_spec for t in timer_starts(TaskState.COMPLETED)]


def catch_start_message(workflow: BpmnWorkflow, clock: Clock, name: str, payload: Any) -> None:
    """Deliver the message that starts the process to its message start event."""
    with using_clock(clock):
        workflow.do_engine_steps()
        workflow.catch(BpmnEvent(MessageEventDefinition(name), payload))
