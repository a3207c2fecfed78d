"""Contracts and their renewals: contracts from won deals and the imported book, payments, the
renewal chain, the daily renewal trigger, ``processes/renewal.bpmn``, churn risk and the
«На продление» dashboard.

A won deal becomes a contract (``service.on_deal_stage_changed`` on ``deal.stage_changed``);
``processes/renewal_trigger.bpmn`` (every weekday at 09:00 Moscow) queues each contract entering
its renewal window (``renewal_window.dmn``) once, and the job ``contracts_renewals`` starts
``renewal`` for it once; the job ``contracts_risk`` keeps the churn-risk zones fresh and pulls the
senior manager into red-zone negotiations.
"""

from __future__ import annotations

from models.contracts import access, demo, operations
from models.contracts.checks import check_task
from models.contracts.contracts import contract_label, contract_label_rows
from models.contracts.jobs import assess_risks
from models.contracts.payments_in import on_payment_received
from models.contracts.service import on_deal_stage_changed
from models.contracts.trigger import PROCESS, start_queued
from models.platform.registry import Registry
from models.tasks.hooks import declare_check


def register(registry: Registry) -> None:
    access.register(registry)
    operations.register(registry)
    registry.labeler("contract", contract_label_rows, contract_label)
    registry.subscribe("deal.stage_changed", on_deal_stage_changed)
    registry.subscribe("payment.received", on_payment_received)
    registry.job("contracts_renewals", start_queued)
    registry.job("contracts_risk", assess_risks)
    declare_check(registry, PROCESS, check_task)
    registry.demo_seed("contracts", demo.seed_contracts)
