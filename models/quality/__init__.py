"""Data quality: rules per client kind and deal stage, stage gates, completeness, the nightly audit.

Rules (``rules``) are configured by admins; ``checks`` evaluates them; ``service.stage_gate``
implements the deals' ``sales.stage_gate`` port (a deal cannot enter a stage whose rules
fail); ``audit`` runs nightly from ``processes/data_quality_audit.bpmn`` and keeps one fix
task per owner; ``person_match`` scores person duplicates; ``violations`` keeps refused
attempts (a stage gate) for the violations list; ``loss_review`` is the senior managers'
review of loss reasons.
"""

from __future__ import annotations

from models.clients.person_identity import PERSON_HINTS
from models.platform.registry import Registry
from models.quality import demo, loss_review, violations  # noqa: F401  (loss_review: its table)
from models.quality.person_hints import person_hints
from models.quality.service import audit_operation, stage_gate
from models.sales.stage_gate import STAGE_GATE


def register(registry: Registry) -> None:
    registry.service(STAGE_GATE, stage_gate)
    registry.service(PERSON_HINTS, person_hints)
    violations.install()
    registry.operation("quality.audit", audit_operation)
    registry.demo_seed("quality", demo.seed_quality)
