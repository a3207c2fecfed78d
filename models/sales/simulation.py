"""What the lead operations answer in a process simulation: plausible results, no effects.

A simulation of ``lead_handling`` (``engine.simulation``) runs every service task without a
database: nobody is matched, routed or notified, so the answers carry only what the
diagram reads next (``match`` for the DMN tables, ``routing`` for the assignee and the
escalation). Who works the tasks is the scenario's business (people per role).
"""

from __future__ import annotations

from typing import Any

from engine.operations import OperationContext
from models.platform.registry import Registry


def find_client(context: OperationContext, **params: Any) -> dict:
    return {"client_id": None, "matched_by": None, "owner_id": None, "client_kind": "company",
            "territory": "", "industry": ""}


def assign(context: OperationContext, **params: Any) -> dict:
    return {"manager_id": None, "senior_id": None, "load": 0, "reason": "назначение в симуляции"}


def escalate(context: OperationContext, **params: Any) -> dict:
    return {"escalated_to": params.get("senior_id")}


def register(registry: Registry) -> None:
    registry.simulation("leads.find_client", find_client)
    registry.simulation("leads.assign", assign)
    registry.simulation("leads.escalate", escalate)
