"""Insurance history: policies and claims per client, loss ratio, LTV and cross-sell, their import.

Other packages read it through ``models.insurance.service`` (``client_context``,
``loss_ratio``); the discount sign-off shows it to approvers, renewals will weigh churn and
retention terms with it.
"""

from __future__ import annotations

from models.insurance import access, demo
from models.platform.registry import Registry


def register(registry: Registry) -> None:
    access.register(registry)
    registry.demo_seed("insurance", demo.seed_insurance)
