"""Data quality: rules per client kind and deal stage, stage gates, completeness, the nightly audit.

Rules (``rules``) are configured by admins; ``checks`` evaluates them; ``service.stage_gate``
implements the deals' ``sales.stage_gate`` port (a deal cannot enter a stage whose rules
fail); ``audit`` runs nightly from ``processes/data_quality_audit.bpmn`` and keeps one fix
task per owner; ``duplicates`` scores person duplicates.
"""

from __future__ import annotations

from models.platform.registry import Registry
from models.quality import demo
from models.quality.service import audit_operation, stage_gate
from models.sales.stage_gate import STAGE_GATE


def register(registry: Registry) -> None:
    registry.service(STAGE_GATE, stage_gate)
    registry.operation("quality.audit", audit_operation)
    registry.demo_seed("quality", demo.seed_quality)
