"""Personal-data duties (152-ФЗ): consents, the access log, export, erasure and retention."""

from __future__ import annotations

from models.platform.jobs import JobContext, run_unit
from models.platform.registry import Registry
from models.privacy.service import anonymise_expired_leads


def retention_job(context: JobContext) -> int:
    """Anonymise leads past the retention period (``CRM_LEAD_RETENTION_DAYS``), 500 per tick."""
    days = int(getattr(context.settings, "lead_retention_days", 1095))
    now = context.clock.now()
    return run_unit(context.session_factory, lambda session: anonymise_expired_leads(session, now, days)) or 0


def register(registry: Registry) -> None:
    registry.job("privacy_retention", retention_job)
