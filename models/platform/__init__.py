"""The platform every package stands on: the database handle, the unit of work and the job
runner, the clock, the audit log, roles and the permission layer, business-object labels,
the outbox and the registry through which packages declare what they contribute.
"""

from __future__ import annotations

from models.platform.jobs import JobContext
from models.platform.outbox import deliver_due
from models.platform.registry import Registry


def _outbox_job(context: JobContext) -> int:
    return deliver_due(context.session_factory, context.clock, context.settings,
                       handlers=context.registry.outbox_handlers)


def register(registry: Registry) -> None:
    registry.job("outbox", _outbox_job)
