"""Reports: summaries kept with the deals, the team dashboard, plans, custom and scheduled reports, KPI.

Read queries and summaries only: the package never changes another package's tables. The
summary tables (``tables``) are maintained by a session hook (``summaries``) in the same
transaction as the deal, stage entry or activity they mirror.
"""

from __future__ import annotations

from models.platform.events import BULK_CREATED
from models.platform.registry import Registry
from models.reports import demo, entities, plans, schedules, stored, summaries, tables  # noqa: F401


def register(registry: Registry) -> None:
    summaries.install()
    registry.subscribe(BULK_CREATED, summaries.mark_bulk_created)
    entities.register(registry)
    registry.job("report_schedules", schedules.run_due)
    registry.demo_seed("reports", demo.seed_plans)
