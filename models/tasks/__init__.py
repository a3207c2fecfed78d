"""Work outside and inside processes: ad-hoc tasks, templates, comments, the inbox, alerts."""

from __future__ import annotations

from models.platform.registry import Registry
from models.tasks import access, demo, operations
from models.tasks.adhoc import Task
from models.tasks.alerts import alerts_job
from models.tasks.comments import Comment


def register(registry: Registry) -> None:
    access.register(registry)
    operations.register(registry)
    registry.reference(Task, "business_type", "business_id")
    registry.reference(Comment, "object_type", "object_id")
    registry.job("task_alerts", alerts_job)
    registry.demo_seed("tasks", demo.seed_tasks)
