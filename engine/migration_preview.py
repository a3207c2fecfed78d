"""What deploying a new version would mean for running instances: who could move, who stays.

Nothing moves here: each active instance of the process is diffed against the new spec
with the same rules as ``engine.migration`` (no task on a removed element, no waiting task
replaced by a differently named one); the answer lists, per instance, whether it could be
migrated or stays on its version and why. Running instances stay on their version after a
deploy anyway; migrating them is an explicit action (``crm process migrate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow
from sqlalchemy import select

from engine.migration import _names, _removed
from engine.runtime import Runtime
from engine.serialization import _registry
from engine.tables import InstanceStatus, ProcessDefinition, ProcessInstance

PREVIEW_LIMIT = 200


@dataclass
class InstancePreview:
    id: int
    title: str
    version: int
    status: str
    can_migrate: bool
    reason: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class MigrationPreview:
    instances: list[InstancePreview] = field(default_factory=list)
    total: int = 0  # active instances of the process (the list shows at most PREVIEW_LIMIT)

    @property
    def can_migrate(self) -> int:
        return sum(1 for i in self.instances if i.can_migrate)

    @property
    def stay(self) -> int:
        return sum(1 for i in self.instances if not i.can_migrate)

    def as_dict(self) -> dict:
        return {
            "instances": [i.as_dict() for i in self.instances],
            "total": self.total,
            "can_migrate": self.can_migrate,
            "stay": self.stay,
        }


def _judge(
    engine: Runtime, instance: ProcessInstance, new_spec: Any, new_subprocess_specs: dict
) -> tuple[bool, str]:
    if instance.status == InstanceStatus.ERROR:
        return False, "открыт инцидент: сначала повторите или отмените шаг"
    try:
        workflow = engine.load(instance)
        top_diff, sub_diffs = diff_workflow(_registry(), workflow, new_spec, new_subprocess_specs)
    except Exception as exc:  # an old state SpiffWorkflow cannot align is a reason to stay, not a failure
        return False, f"состояние не сопоставляется с новой версией ({type(exc).__name__})"
    removed = _removed(top_diff)
    for diff in sub_diffs.values():
        if diff is None:
            return False, "вызываемый процесс удалён"
        removed.extend(_removed(diff))
    if removed:
        return False, "выполнялись или ждут удалённые элементы: " + ", ".join(_names(removed))
    return True, ""


def preview(engine: Runtime, key: str, new_spec: Any, new_subprocess_specs: dict) -> MigrationPreview:
    """Each active instance of ``key`` judged against the new spec (at most ``PREVIEW_LIMIT``)."""
    stmt = (
        select(ProcessInstance)
        .join(ProcessDefinition)
        .where(ProcessInstance.process_key == key, ProcessInstance.status.in_(InstanceStatus.ACTIVE))
        .order_by(ProcessInstance.id.desc())
    )
    rows = list(engine.session.scalars(stmt.limit(PREVIEW_LIMIT + 1)))
    result = MigrationPreview(total=len(rows))
    for instance in rows[:PREVIEW_LIMIT]:
        can, reason = _judge(engine, instance, new_spec, new_subprocess_specs)
        result.instances.append(
            InstancePreview(
                instance.id, instance.title, instance.definition.version, instance.status, can, reason
            )
        )
    return result
