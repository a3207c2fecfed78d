"""Demo: the shipped quality rules, and one audit so every manager with gaps has a fix task."""

from __future__ import annotations

from models.platform.registry import DemoContext
from models.quality.audit import run_audit
from models.quality.rules import ensure_default_rules


def seed_quality(context: DemoContext) -> dict[str, int]:
    added = ensure_default_rules(context.session)
    if not added:
        return {"quality_rules": 0}
    result = run_audit(context.session, context.clock.now())
    return {"quality_rules": added, "quality_tasks": result.tasks_created}
