"""Discount sign-off: requests, the authority matrix, decisions, the log, «the approved discount is law».

A manager asks for a discount on a product of a deal (``service.request_discount``); the
process ``processes/discount_signoff.bpmn`` prices it by the tariff table, routes it by the
authority matrix (``processes/discount_authority.dmn``) to the lowest approver whose limit
covers it, and records the decision on the deal. What is approved binds every КП:
``service.require_approved`` (and the BPMN operation ``discounts.check_offer``, and the
``sales.offer_guard`` port on the deal card and API) refuse a discount above it.
"""

from __future__ import annotations

from models.discounts import access, demo, operations
from models.discounts.approvables import DISCOUNT_APPROVALS
from models.discounts.approvals import guard_offer
from models.discounts.checks import check_task
from models.discounts.pages import task_panel
from models.discounts.pricing import PROCESS
from models.discounts.requests import request_label, request_label_rows
from models.platform.registry import Registry
from models.sales.offer_guard import OFFER_GUARD
from models.tasks.approvables import declare_approvable
from models.tasks.hooks import declare_check, declare_panel


def register(registry: Registry) -> None:
    access.register(registry)
    operations.register(registry)
    registry.labeler("discount_request", request_label_rows, request_label)
    registry.service(OFFER_GUARD, guard_offer)
    declare_panel(registry, PROCESS, task_panel)
    declare_check(registry, PROCESS, check_task)
    declare_approvable(registry, DISCOUNT_APPROVALS)
    registry.demo_seed("discounts", demo.seed_discounts)
