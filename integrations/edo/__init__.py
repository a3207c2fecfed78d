"""EDO (Diadoc format): the HTTP client, the job posting queued sendings, the job polling events."""

from __future__ import annotations

from integrations.edo.jobs import edo_poll_job, edo_send_job
from models.platform.registry import Registry


def register(registry: Registry) -> None:
    registry.job("edo_send", edo_send_job)
    registry.job("edo_poll", edo_poll_job)
