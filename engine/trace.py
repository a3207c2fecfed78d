"""One instance drawn on its diagram: completed, active and failed nodes, the path, each step.

Read from ``process_event`` (what ran, when, by whom, how long), ``human_task`` (the
people's steps with the data they entered), ``process_incident`` (what failed) and, for an
active instance, its stored workflow (what it waits for now: tasks, timers, messages).
The sequence flows taken are those between two nodes the instance passed in that order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from lxml import etree
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import undefer

from engine.errors import NotFound
from engine.parsing import NS
from engine.runtime import Runtime
from engine.tables import (
    HumanTask,
    Incident,
    InstanceStatus,
    ProcessDefinition,
    ProcessEvent,
    ProcessInstance,
)
from engine.xml_safety import UnsafeXml, parse_xml

PASSED = ("task_completed", "user_task_completed", "timer_fired", "event_caught", "error_thrown")
_WAITING = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class Step:
    """One thing that happened on a node."""

    at: datetime
    kind: str
    user: str | None
    duration_ms: float | None
    detail: dict | None = None
    data: dict | None = None


@dataclass
class InstanceTrace:
    instance: ProcessInstance
    definition: ProcessDefinition
    xml: str
    counts: dict[str, int] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    flows: set[str] = field(default_factory=set)
    steps: dict[str, list[Step]] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)


def _flows(xml: str) -> list[tuple[str, str, str]]:
    try:
        root = parse_xml(xml.encode("utf-8")).getroot()
    except (UnsafeXml, etree.XMLSyntaxError):
        return []
    return [
        (f.get("id"), f.get("sourceRef"), f.get("targetRef"))
        for f in root.iterfind(".//bpmn:sequenceFlow", NS)
    ]


def _waiting_on(engine: Runtime, instance: ProcessInstance) -> set[str]:
    if instance.status not in InstanceStatus.ACTIVE:
        return set()
    try:
        workflow = engine.load(instance)
    except (ValueError, KeyError):
        return set()
    found = set()
    for task in workflow.get_tasks(state=_WAITING):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id and type(task.task_spec).__name__ not in ("StartEvent", "BpmnStartTask"):
            found.add(bpmn_id)
    return found


def instance_trace(engine: Runtime, instance_id: int) -> InstanceTrace:
    """What the instance viewer draws; ``NotFound`` for an unknown id."""
    session = engine.session
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"Экземпляр процесса {instance_id} не найден")
    definition = session.get(
        ProcessDefinition, instance.definition_id, options=[undefer(ProcessDefinition.source_xml)]
    )
    assert definition is not None
    events = list(
        session.scalars(
            select(ProcessEvent).where(ProcessEvent.instance_id == instance.id).order_by(ProcessEvent.id)
        )
    )
    tasks = {t.id: t for t in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id))}
    incidents = list(
        session.scalars(select(Incident).where(Incident.instance_id == instance.id).order_by(Incident.id))
    )
    people = {e.user_id for e in events if e.user_id} | {
        t.completed_by_id for t in tasks.values() if t.completed_by_id
    }
    names = engine.directory.names(session, people)
    trace = InstanceTrace(instance, definition, definition.source_xml)
    counts: Counter[str] = Counter()
    order: list[str] = []
    for event in events:
        if not event.element_id:
            continue
        data = None
        if event.detail and event.detail.get("human_task_id") in tasks:
            data = tasks[event.detail["human_task_id"]].completed_data
        trace.steps.setdefault(event.element_id, []).append(
            Step(
                event.at,
                event.kind,
                names.get(event.user_id) if event.user_id else None,
                event.duration_ms,
                event.detail,
                data,
            )
        )
        if event.kind in PASSED:
            counts[event.element_id] += 1
            order.append(event.element_id)
    trace.counts = dict(counts)
    trace.incidents = incidents
    trace.failed = {i.element_id for i in incidents if i.status == "open"}
    trace.active = (
        _waiting_on(engine, instance) | {t.element_id for t in tasks.values() if t.status == "open"}
    ) - trace.failed
    passed_pairs = set(pairwise(order))
    reached = set(order) | trace.active | trace.failed
    for flow_id, source, target in _flows(trace.xml):
        if (source, target) in passed_pairs or (source in counts and target in reached):
            trace.flows.add(flow_id)
    return trace
