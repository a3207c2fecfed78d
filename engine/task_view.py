"""Reading one open user task's data for its page (instructions, read-only fields).

The inbox never deserializes workflows; the page of a single task does, once, to show
the step's data. Nothing is written.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from engine.jsonable import to_jsonable
from engine.runtime import ProcessEngine
from engine.tables import HumanTask, InstanceStatus


def task_data(engine: ProcessEngine, row: HumanTask) -> dict[str, Any]:
    """The data the user task sees (empty when the process is no longer running)."""
    instance = row.instance
    if instance is None or instance.status not in InstanceStatus.ACTIVE:
        return {}
    workflow = engine.load(instance)
    task = workflow.get_task_from_id(UUID(row.task_uuid))
    data = task.data if task is not None else workflow.data
    return to_jsonable(dict(data))
