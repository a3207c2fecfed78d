"""Steps that wake an instance up: due timers, caught messages and signals, incident retries.

Each function is one step on one instance through the engine (same session,
same transaction as the caller's); events thrown to other instances are routed at the end.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from engine.clock_bridge import using_clock
from engine.errors import ConflictError, EngineError, NotFound
from engine.runtime import Runtime, step
from engine.tables import Incident, InstanceStatus, ProcessInstance

MAX_ROUTED = 100


@step
def fire_timers(engine: Runtime, instance: ProcessInstance) -> None:
    """Let every due timer of ``instance`` fire and run what follows."""
    if instance.status not in InstanceStatus.ACTIVE:
        instance.next_timer_at = None
        engine.flush()
        return
    workflow = engine.load(instance)
    with using_clock(engine.clock):
        workflow.refresh_timers()
    engine.advance(instance, workflow, None)
    engine.save(instance, workflow)
    route_thrown(engine)


@step
def deliver(engine: Runtime, instance: ProcessInstance, event_definition: Any, payload: Any,
            user_id: int | None, correlations: dict | None = None) -> bool:
    """Hand a message or signal to a waiting instance and run what follows.

    Timers already due fire first: a timer the scheduler has not reached yet still came
    first, and an event-based gateway must take one branch only (SpiffWorkflow would take
    both if the message and the due timer were seen in the same step). An event nobody
    catches any more is recorded as not caught, not passed on to other instances.
    """
    workflow = engine.load(instance)
    with using_clock(engine.clock):
        workflow.refresh_timers()
        caught = workflow.event_manager.catch(BpmnEvent(event_definition, payload, correlations or {}),
                                              internal=False)
    engine.event(instance, "message_received" if "Message" in type(event_definition).__name__
                 else "signal_received", user_id,
                 detail={"name": event_definition.name, "caught": bool(caught)})
    engine.advance(instance, workflow, user_id)
    engine.save(instance, workflow)
    return bool(caught)


@step
def retry_incident(engine: Runtime, incident_id: int, user_id: int | None) -> Incident:
    """Run the failed task again; resolves the incident or records one more failed attempt."""
    incident = engine.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(f"Инцидент {incident_id} не найден")
    if incident.status != "open":
        raise ConflictError("Инцидент уже разрешён")
    instance = engine.instance(incident.instance_id)
    workflow = engine.load(instance)
    task = workflow.get_task_from_id(UUID(incident.task_uuid)) if incident.task_uuid else None
    if task is not None and task.state == TaskState.ERROR:
        task._set_state(TaskState.READY)
    attempts_before = incident.attempts
    instance.status = InstanceStatus.RUNNING
    engine.event(instance, "incident_retry", user_id, detail={"incident_id": incident.id})
    engine.advance(instance, workflow, user_id)
    if incident.attempts == attempts_before:  # the task did not fail again
        incident.status = "resolved"
        incident.resolved_at = engine.clock.now()
        incident.resolved_by_id = user_id
        incident.next_retry_at = None
    engine.save(instance, workflow)
    route_thrown(engine)
    return incident


def _flat(correlations: dict | None) -> dict:
    """SpiffWorkflow nests correlations by key (``{"deal": {"deal_id": 5}}``); flatten them."""
    flat: dict = {}
    for key, value in (correlations or {}).items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def route_thrown(engine: Runtime) -> None:
    """Deliver messages and signals the last steps threw to other instances.

    A message is correlated by its correlation properties if the diagram defines any,
    otherwise by the throwing instance's business key (e.g. ``deal_id``), so a message
    thrown in deal 5's process reaches only the instance waiting for it in deal 5.
    """
    from engine.messages import broadcast_signal, send_message

    routed = 0
    while engine.thrown:
        routed += 1
        if routed > MAX_ROUTED:
            engine.thrown.clear()
            raise EngineError("Слишком много сообщений за один шаг: процессы пересылают их по кругу?")
        event, sender = engine.thrown.pop(0)
        definition = event.event_definition
        kind = type(definition).__name__
        if "Message" in kind:
            send_message(engine, definition.name, _flat(event.correlations) or dict(sender),
                         event.payload if isinstance(event.payload, dict) else {"payload": event.payload},
                         None)
        elif "Signal" in kind:
            broadcast_signal(engine, definition.name, event.payload, None)
