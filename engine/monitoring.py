"""Read-only views of deployed processes and their instances for the administration pages.

The pages need counts, lists and histories, all of which come from the plain tables the
engine keeps (``process_definition``, ``process_instance``, ``human_task``,
``process_event``, ``process_incident``) through their indexes. Only the instance's data
needs the stored workflow, and it is read from one instance at a time. People's names
come from the engine's ``Directory``, in one query per page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from engine.errors import NotFound
from engine.jsonable import to_jsonable
from engine.ports import Directory
from engine.runtime import Runtime
from engine.tables import (
    HumanTask,
    Incident,
    InstanceStatus,
    ProcessDefinition,
    ProcessEvent,
    ProcessInstance,
    TaskStatus,
)

STATUSES = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR,
            InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)
HISTORY_LIMIT = 1000


@dataclass
class VersionSummary:
    id: int
    version: int
    name: str
    source_file: str
    deployed_at: datetime
    deployed_by: str | None
    instances: int


@dataclass
class DefinitionSummary:
    """One process key: its latest name and version, every version, instances by status."""

    key: str
    name: str
    latest_version: int
    versions: list[VersionSummary] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def definitions_overview(session: Session, directory: Directory) -> list[DefinitionSummary]:
    """Every deployed process with its versions (newest first), who deployed them, instance counts."""
    per_version: dict[int, int] = {}
    per_key: dict[str, dict[str, int]] = {}
    counts = session.execute(
        select(ProcessInstance.definition_id, ProcessInstance.process_key, ProcessInstance.status,
               func.count()).group_by(ProcessInstance.definition_id, ProcessInstance.process_key,
                                      ProcessInstance.status))
    for definition_id, key, status, count in counts:
        per_version[definition_id] = per_version.get(definition_id, 0) + count
        by_status = per_key.setdefault(key, {})
        by_status[status] = by_status.get(status, 0) + count
    rows = session.execute(
        select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version,
               ProcessDefinition.name, ProcessDefinition.source_file, ProcessDefinition.deployed_at,
               ProcessDefinition.deployed_by_id)
        .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())).all()
    names = directory.names(session, {row.deployed_by_id for row in rows if row.deployed_by_id})
    result: dict[str, DefinitionSummary] = {}
    for def_id, key, version, name, source_file, deployed_at, deployed_by_id in rows:
        deployed_by = names.get(deployed_by_id) if deployed_by_id else None
        summary = result.get(key)
        if summary is None:  # the first row of a key is its latest version
            summary = result[key] = DefinitionSummary(key, name, version,
                                                      counts=per_key.get(key, {}))
        summary.versions.append(VersionSummary(def_id, version, name, source_file, deployed_at,
                                               deployed_by, per_version.get(def_id, 0)))
    return list(result.values())


def process_keys(session: Session) -> list[tuple[str, str]]:
    """(key, name) of every deployed process, by key: the instance filter shows names, sends keys."""
    rows = session.execute(select(ProcessDefinition.key, func.max(ProcessDefinition.name))
                           .group_by(ProcessDefinition.key).order_by(ProcessDefinition.key))
    return [(key, name) for key, name in rows]


@dataclass(frozen=True)
class InstanceFilter:
    process_key: str | None = None
    status: str | None = None
    business_type: str | None = None
    business_id: int | None = None


@dataclass
class InstanceRow:
    id: int
    process_key: str
    version: int
    title: str
    status: str
    business_type: str | None
    business_id: int | None
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    started_by: str | None


def list_instances(session: Session, directory: Directory, flt: InstanceFilter, before_id: int | None,
                   limit: int) -> tuple[list[InstanceRow], int | None]:
    """Newest first, ``limit`` rows with ids below ``before_id``; also the next page's cursor.

    Keyset pagination: the cursor is the last id shown, so a page costs the same however
    deep it is and rows started meanwhile do not shift the pages.
    """
    stmt = (select(ProcessInstance.id, ProcessInstance.process_key, ProcessDefinition.version,
                   ProcessInstance.title, ProcessInstance.status, ProcessInstance.business_type,
                   ProcessInstance.business_id, ProcessInstance.started_at, ProcessInstance.updated_at,
                   ProcessInstance.completed_at, ProcessInstance.started_by_id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .order_by(ProcessInstance.id.desc()).limit(limit + 1))
    if flt.process_key:
        stmt = stmt.where(ProcessInstance.process_key == flt.process_key)
    if flt.status:
        stmt = stmt.where(ProcessInstance.status == flt.status)
    if flt.business_type:
        stmt = stmt.where(ProcessInstance.business_type == flt.business_type)
    if flt.business_id is not None:
        stmt = stmt.where(ProcessInstance.business_id == flt.business_id)
    if before_id is not None:
        stmt = stmt.where(ProcessInstance.id < before_id)
    found = session.execute(stmt).all()
    names = directory.names(session, {row.started_by_id for row in found if row.started_by_id})
    rows = [InstanceRow(id=r.id, process_key=r.process_key, version=r.version, title=r.title,
                        status=r.status, business_type=r.business_type, business_id=r.business_id,
                        started_at=r.started_at, updated_at=r.updated_at, completed_at=r.completed_at,
                        started_by=names.get(r.started_by_id) if r.started_by_id else None)
            for r in found]
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_cursor


@dataclass
class InstanceList:
    """One page of the instance list, the next page's cursor and the process keys to filter by."""

    rows: list[InstanceRow]
    next_cursor: int | None
    keys: list[tuple[str, str]]


def instance_list(session: Session, directory: Directory, flt: InstanceFilter, before_id: int | None,
                  limit: int) -> InstanceList:
    """What the instance list page shows: ``list_instances`` plus the filter's choices."""
    rows, next_cursor = list_instances(session, directory, flt, before_id, limit)
    return InstanceList(rows, next_cursor, process_keys(session))


@dataclass
class HistoryEntry:
    at: datetime
    kind: str
    element_id: str | None
    element_name: str | None
    element_type: str | None
    duration_ms: float | None
    user: str | None
    detail: dict | None


@dataclass
class InstanceDetail:
    """Everything the instance page shows; ``data`` is None when the state cannot be read."""

    instance: ProcessInstance
    definition: ProcessDefinition
    started_by: str | None
    tasks: list[tuple[HumanTask, str | None]]
    history: list[HistoryEntry]
    history_truncated: bool
    incidents: list[Incident]
    data: dict[str, Any] | None
    data_error: str | None = None


def instance_detail(engine: Runtime, instance_id: int) -> InstanceDetail:
    """The instance page's content; raises ``NotFound`` for an unknown id."""
    session = engine.session
    instance = engine.instance(instance_id)
    open_tasks = list(session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.id)))
    events = session.execute(
        select(ProcessEvent.at, ProcessEvent.kind, ProcessEvent.element_id, ProcessEvent.element_name,
               ProcessEvent.element_type, ProcessEvent.duration_ms, ProcessEvent.user_id, ProcessEvent.detail)
        .where(ProcessEvent.instance_id == instance.id)
        .order_by(ProcessEvent.id).limit(HISTORY_LIMIT + 1)).all()
    people = {instance.started_by_id, *(t.assignee_id for t in open_tasks), *(e.user_id for e in events)}
    names = engine.directory.names(session, {i for i in people if i})

    def name(user_id: int | None) -> str | None:
        return names.get(user_id) if user_id else None

    incidents = list(session.scalars(select(Incident).where(Incident.instance_id == instance.id)
                                     .order_by(Incident.status, Incident.id.desc())))  # open first
    data, error = instance_data(engine, instance)
    return InstanceDetail(
        instance=instance, definition=instance.definition, started_by=name(instance.started_by_id),
        tasks=[(task, name(task.assignee_id)) for task in open_tasks],
        history=[HistoryEntry(at=e.at, kind=e.kind, element_id=e.element_id, element_name=e.element_name,
                              element_type=e.element_type, duration_ms=e.duration_ms, user=name(e.user_id),
                              detail=e.detail) for e in events[:HISTORY_LIMIT]],
        history_truncated=len(events) > HISTORY_LIMIT, incidents=incidents, data=data,
        data_error=error,
    )


def instance_data(engine: Runtime, instance: ProcessInstance) -> tuple[dict | None, str | None]:
    """The process data as JSON-safe values: the workflow's data and its latest task's data."""
    try:
        workflow = engine.load(instance)
    except (ValueError, KeyError) as exc:
        return None, f"Состояние процесса не читается: {exc}"
    data = dict(workflow.data)
    if workflow.last_task is not None:
        data.update(workflow.last_task.data)
    return {key: to_jsonable(data[key]) for key in sorted(data)}, None


def definition_source(session: Session, definition_id: int) -> ProcessDefinition:
    """A definition version with its BPMN source loaded (the column is deferred otherwise); ``NotFound``."""
    definition = session.get(ProcessDefinition, definition_id,
                             options=[undefer(ProcessDefinition.source_xml)])
    if definition is None:
        raise NotFound(f"Версия процесса {definition_id} не найдена")
    return definition


@dataclass
class InstanceSummary:
    """An instance with every task it ever had and its whole history, for the command line.

    Unlike ``InstanceDetail`` it reads no workflow state and keeps completed tasks.
    """

    instance: ProcessInstance
    tasks: list[HumanTask]
    events: list[ProcessEvent]


def instance_summary(engine: Runtime, instance_id: int) -> InstanceSummary:
    """``instance_id`` with its tasks and events in order; ``NotFound`` for an unknown id."""
    instance = engine.instance(instance_id)
    session = engine.session
    tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                            .order_by(HumanTask.id))
    events = session.scalars(select(ProcessEvent).where(ProcessEvent.instance_id == instance.id)
                             .order_by(ProcessEvent.id))
    return InstanceSummary(instance, list(tasks), list(events))
