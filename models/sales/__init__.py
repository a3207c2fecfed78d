"""Sales: leads and their intake, funnels, deals, activities, routing and distribution."""

from __future__ import annotations

from models.platform.registry import Registry
from models.sales import access, demo, operations, simulation
from models.sales.deals import deal_label, deal_label_rows
from models.sales.leads import lead_label, lead_label_rows


def register(registry: Registry) -> None:
    access.register(registry)
    operations.register(registry)
    simulation.register(registry)
    registry.labeler("lead", lead_label_rows, lead_label)
    registry.labeler("deal", deal_label_rows, deal_label)
    registry.demo_seed("sales", demo.seed_sales)
