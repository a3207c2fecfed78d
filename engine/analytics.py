"""Process analytics from what the engine recorded: per node, per process, by period and version.

Everything comes from the engine's tables, read through their indexes:

- ``process_event``: how many instances passed each node (``PASSED`` kinds) and how long a
  step took (``duration_ms``: for a user task from its creation to its completion, for an
  automatic step the engine's time);
- ``human_task``: waiting and working time of people's steps — waiting is the time in a
  queue until someone took the task (``claimed_at``; a task given to a person at once does
  not wait), working is the rest until it was completed — and SLA breaches (completed
  after ``due_at``, or still open past it), escalations;
- ``process_incident``: incidents per node;
- ``process_instance``: throughput per week, lead time, the share of escalated instances
  (a human task escalated, or an interrupting boundary timer fired).

Percentiles are computed in Python (SQLite has none), so each query returns plain columns.
The instances considered are those started in ``[since, until)`` on the chosen versions.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, Incident, ProcessDefinition, ProcessEvent, ProcessInstance, TaskStatus

PASSED = ("task_completed", "user_task_completed", "timer_fired", "event_caught", "error_thrown")
PATH_LIMIT = 5000  # instances whose paths are counted (the newest)


@dataclass(frozen=True)
class AnalyticsFilter:
    key: str
    versions: tuple[int, ...] = ()  # version numbers; empty = all
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class NodeStats:
    element_id: str
    name: str | None = None
    passed: int = 0
    avg_ms: float | None = None
    p90_ms: float | None = None
    total_ms: float = 0.0
    waiting_ms: float | None = None  # average per human task
    working_ms: float | None = None
    waiting_total_ms: float = 0.0
    sla_breaches: int = 0
    escalated: int = 0
    incidents: int = 0
    open_incidents: int = 0
    heat: int = 0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class Kpis:
    started: int = 0
    completed: int = 0
    lead_p50_ms: float | None = None
    lead_p90_ms: float | None = None
    escalated_share: float | None = None
    throughput: list[tuple[date, int]] = field(default_factory=list)  # (Monday of the week, completed)


@dataclass
class Analytics:
    nodes: dict[str, NodeStats]
    kpis: Kpis
    bottlenecks: list[NodeStats]
    paths: list[tuple[list[str], int]]


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (``share`` 0.5 → median, 0.9 → p90); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _instances(flt: AnalyticsFilter) -> Select:
    stmt = (
        select(ProcessInstance.id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.process_key == flt.key)
    )
    if flt.versions:
        stmt = stmt.where(ProcessDefinition.version.in_(flt.versions))
    if flt.since is not None:
        stmt = stmt.where(ProcessInstance.started_at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(ProcessInstance.started_at < flt.until)
    return stmt


def _event_stats(session: Session, ids: Select, nodes: dict[str, NodeStats]) -> None:
    rows = session.execute(
        select(ProcessEvent.element_id, ProcessEvent.element_name, ProcessEvent.duration_ms).where(
            ProcessEvent.instance_id.in_(ids),
            ProcessEvent.kind.in_(PASSED),
            ProcessEvent.element_id.is_not(None),
        )
    )
    durations: dict[str, list[float]] = defaultdict(list)
    for element_id, name, duration in rows:
        element = str(element_id)
        node = nodes.setdefault(element, NodeStats(element))
        node.name = node.name or name
        node.passed += 1
        if duration is not None:
            durations[element].append(float(duration))
    for element, values in durations.items():
        node = nodes[element]
        node.total_ms = sum(values)
        node.avg_ms = node.total_ms / len(values)
        node.p90_ms = percentile(values, 0.9)


def _task_stats(session: Session, ids: Select, nodes: dict[str, NodeStats], now: datetime) -> None:
    rows = session.execute(
        select(
            HumanTask.element_id,
            HumanTask.title,
            HumanTask.status,
            HumanTask.created_at,
            HumanTask.claimed_at,
            HumanTask.completed_at,
            HumanTask.due_at,
            HumanTask.escalated_at,
        ).where(HumanTask.instance_id.in_(ids))
    )
    waits: dict[str, list[float]] = defaultdict(list)
    works: dict[str, list[float]] = defaultdict(list)
    for element, title, status, created, claimed, completed, due, escalated in rows:
        node = nodes.setdefault(element, NodeStats(element, title))
        node.name = node.name or title
        end = completed or (now if status == TaskStatus.OPEN else None)
        if end is not None and created is not None:
            taken = claimed or created
            waits[element].append((min(taken, end) - created).total_seconds() * 1000)
            if status == TaskStatus.COMPLETED:
                works[element].append((end - taken).total_seconds() * 1000 if end > taken else 0.0)
            node.waiting_total_ms += (end - created).total_seconds() * 1000
        if due is not None and (
            (completed is not None and completed > due) or (status == TaskStatus.OPEN and now > due)
        ):
            node.sla_breaches += 1
        if escalated is not None:
            node.escalated += 1
    for element, values in waits.items():
        nodes[element].waiting_ms = sum(values) / len(values)
    for element, values in works.items():
        nodes[element].working_ms = sum(values) / len(values)


def _incident_stats(session: Session, ids: Select, nodes: dict[str, NodeStats]) -> None:
    rows = session.execute(
        select(Incident.element_id, Incident.element_name, Incident.status).where(
            Incident.instance_id.in_(ids)
        )
    )
    for element, name, status in rows:
        node = nodes.setdefault(element, NodeStats(element, name))
        node.incidents += 1
        node.open_incidents += status == "open"


def _heat(nodes: dict[str, NodeStats]) -> None:
    """0–4 by the time instances spent on the node (people's waiting first, else step time)."""
    load = {k: max(n.waiting_total_ms, n.total_ms) for k, n in nodes.items()}
    top = max(load.values(), default=0.0)
    for key, node in nodes.items():
        node.heat = 0 if top <= 0 else min(4, int(5 * load[key] / top))


def _interrupting_timers(session: Session, flt: AnalyticsFilter) -> set[str]:
    found: set[str] = set()
    stmt = select(ProcessDefinition.spec_json).where(ProcessDefinition.key == flt.key)
    if flt.versions:
        stmt = stmt.where(ProcessDefinition.version.in_(flt.versions))
    for (spec_json,) in session.execute(stmt):
        data = json.loads(spec_json)
        for spec in (data["spec"], *data.get("subprocess_specs", {}).values()):
            for task in (spec or {}).get("task_specs", {}).values():
                definition = task.get("event_definition") or {}
                if (
                    task.get("typename") == "BoundaryEvent"
                    and task.get("cancel_activity")
                    and "Timer" in str(definition.get("typename", ""))
                ):
                    found.add(task["bpmn_id"])
    return found


def _kpis(session: Session, flt: AnalyticsFilter, ids: Select) -> Kpis:
    rows = session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.started_at,
            ProcessInstance.completed_at,
            ProcessInstance.status,
        ).where(ProcessInstance.id.in_(ids))
    ).all()
    kpis = Kpis(started=len(rows))
    leads = []
    weeks: Counter[date] = Counter()
    for _id, started, completed, status in rows:
        if status == "completed" and completed is not None:
            kpis.completed += 1
            leads.append((completed - started).total_seconds() * 1000)
            day = completed.date()
            weeks[day - timedelta(days=day.weekday())] += 1
    kpis.lead_p50_ms = percentile(leads, 0.5)
    kpis.lead_p90_ms = percentile(leads, 0.9)
    kpis.throughput = sorted(weeks.items())
    if rows:
        escalated = set(
            session.scalars(
                select(HumanTask.instance_id).where(
                    HumanTask.instance_id.in_(ids), HumanTask.escalated_at.is_not(None)
                )
            )
        )
        timers = _interrupting_timers(session, flt)
        if timers:
            escalated |= set(
                session.scalars(
                    select(ProcessEvent.instance_id).where(
                        ProcessEvent.instance_id.in_(ids),
                        ProcessEvent.kind == "timer_fired",
                        ProcessEvent.element_id.in_(timers),
                    )
                )
            )
        kpis.escalated_share = len(escalated) / len(rows)
    return kpis


def _paths(session: Session, ids: Select) -> list[tuple[list[str], int]]:
    chosen = ids.subquery()
    newest = select(chosen.c.id).order_by(chosen.c.id.desc()).limit(PATH_LIMIT)
    rows = session.execute(
        select(ProcessEvent.instance_id, ProcessEvent.element_id)
        .where(
            ProcessEvent.instance_id.in_(newest),
            ProcessEvent.kind.in_(PASSED),
            ProcessEvent.element_id.is_not(None),
        )
        .order_by(ProcessEvent.instance_id, ProcessEvent.id)
    )
    paths: dict[int, list[str]] = defaultdict(list)
    for instance_id, element in rows:
        path = paths[instance_id]
        if not path or path[-1] != element:
            path.append(str(element))
    counted = Counter(tuple(p) for p in paths.values())
    return [(list(path), count) for path, count in counted.most_common(10)]


def analytics(session: Session, flt: AnalyticsFilter, now: datetime) -> Analytics:
    """Per-node statistics, KPIs, the bottleneck table and the most frequent paths."""
    ids = _instances(flt)
    nodes: dict[str, NodeStats] = {}
    _event_stats(session, ids, nodes)
    _task_stats(session, ids, nodes, now)
    _incident_stats(session, ids, nodes)
    _heat(nodes)
    bottlenecks = sorted(
        (n for n in nodes.values() if n.waiting_total_ms > 0), key=lambda n: n.waiting_total_ms, reverse=True
    )[:10]
    return Analytics(nodes, _kpis(session, flt, ids), bottlenecks, _paths(session, ids))


def versions_of(session: Session, key: str) -> list[int]:
    """The deployed version numbers of ``key``, newest first."""
    return list(
        session.scalars(
            select(ProcessDefinition.version)
            .where(ProcessDefinition.key == key)
            .order_by(ProcessDefinition.version.desc())
        )
    )


def history_durations(session: Session, key: str) -> dict[str, list[float]]:
    """Recorded durations (seconds) of people's steps per element, for simulations."""
    ids = _instances(AnalyticsFilter(key))
    rows = session.execute(
        select(ProcessEvent.element_id, ProcessEvent.duration_ms).where(
            ProcessEvent.instance_id.in_(ids),
            ProcessEvent.kind == "user_task_completed",
            ProcessEvent.duration_ms.is_not(None),
        )
    )
    found: dict[str, list[float]] = defaultdict(list)
    for element, duration in rows:
        found[str(element)].append(float(duration or 0) / 1000)
    return dict(found)


def recorded_starts(session: Session, key: str, since: datetime, until: datetime) -> list[datetime]:
    """When instances of ``key`` started in ``[since, until)`` (a simulation's recorded arrivals)."""
    return list(
        session.scalars(
            select(ProcessInstance.started_at)
            .where(
                ProcessInstance.process_key == key,
                ProcessInstance.started_at >= since,
                ProcessInstance.started_at < until,
            )
            .order_by(ProcessInstance.started_at)
        )
    )
