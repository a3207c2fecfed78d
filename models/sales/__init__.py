"""Sales: leads and their intake, funnels, deals, activities, routing and distribution."""

from __future__ import annotations

from models.platform.registry import Registry
from models.sales import access, demo, operations, simulation
from models.sales.deals import deal_labels
from models.sales.leads import lead_labels


def register(registry: Registry) -> None:
    access.register(registry)
    operations.register(registry)
    simulation.register(registry)
    registry.labeler("lead", lead_labels)
    registry.labeler("deal", deal_labels)
    registry.demo_seed("sales", demo.seed_sales)
