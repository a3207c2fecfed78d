"""Moving running instances to the latest version of their process, when that is safe.

An instance may move when no task it has (finished or not) belongs to an element that
the new version removed, and no task it waits on was replaced by a differently named
element; changed elements are re-aligned by SpiffWorkflow's spec diff and
ready or waiting tasks are re-predicted. Otherwise it stays on its version and the
refusal lists the removed and changed elements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.definitions import latest_definition
from engine.runtime import Runtime, step
from engine.serialization import _registry, definition_specs
from engine.tables import InstanceStatus, ProcessInstance


@dataclass
class MigrationResult:
    instance_id: int
    from_version: int
    to_version: int
    migrated: bool
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


_SITTING = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def _removed(diff: Any) -> list[Any]:
    """Tasks whose element is gone from the new version.

    SpiffWorkflow's diff also aligns an element with a differently named one in the same
    place (``review`` replaced by ``approve``); for a task the instance sits on that would
    silently turn one activity into another (another form, other candidates), so such a
    task counts as removed too. Finished tasks may keep such an alignment (history only).
    """
    removed = list(diff.removed)
    for task, new_spec in diff.alignment.items():
        if new_spec is not None and new_spec.name != task.task_spec.name and task.has_state(_SITTING):
            removed.append(task)
    return removed


def _names(tasks: Iterable[Any]) -> list[str]:
    return sorted({t.task_spec.bpmn_id or t.task_spec.name for t in tasks})


@step
def migrate_instance(engine: Runtime, instance: ProcessInstance,
                     user_id: int | None) -> MigrationResult:
    latest = latest_definition(engine.session, instance.process_key)
    old_version = instance.definition.version
    if latest is None or latest.id == instance.definition_id:
        return MigrationResult(instance.id, old_version, old_version, False)
    workflow = engine.load(instance)
    new_spec, new_subprocess_specs = definition_specs(latest)
    top_diff, sub_diffs = diff_workflow(_registry(), workflow, new_spec, new_subprocess_specs)
    removed = _removed(top_diff)
    changed = list(top_diff.changed)
    for diff in sub_diffs.values():
        if diff is None:
            return MigrationResult(instance.id, old_version, latest.version, False,
                                   ["(вызываемый процесс удалён)"], _names(changed))
        removed.extend(_removed(diff))
        changed.extend(diff.changed)
    if removed:
        return MigrationResult(instance.id, old_version, latest.version, False, _names(removed),
                               _names(changed))
    migrate_workflow(top_diff, workflow, new_spec)
    for sub_id, diff in sub_diffs.items():
        sub = workflow.subprocesses[sub_id]
        migrate_workflow(diff, sub, new_subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = new_subprocess_specs
    instance.definition = latest
    instance.definition_id = latest.id
    engine.event(instance, "migrated", user_id,
                 detail={"from": old_version, "to": latest.version, "changed": _names(changed)})
    engine.advance(instance, workflow, user_id)
    engine.save(instance, workflow)
    return MigrationResult(instance.id, old_version, latest.version, True, [], _names(changed))


def migrate_all(engine: Runtime, key: str | None, user_id: int | None) -> list[MigrationResult]:
    """Try every active instance not on its process's latest version."""
    stmt = select(ProcessInstance).where(ProcessInstance.status.in_(InstanceStatus.ACTIVE))
    if key:
        stmt = stmt.where(ProcessInstance.process_key == key)
    results = []
    for instance in engine.session.scalars(stmt.order_by(ProcessInstance.id)).all():
        if instance.status == InstanceStatus.ERROR:
            continue
        result = migrate_instance(engine, instance, user_id)
        if result.from_version != result.to_version:
            results.append(result)
    return results
