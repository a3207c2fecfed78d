"""The nightly registry refresh of active companies: which are due, and what an answer changes.

The job (``integrations/registry/refresh.py``) asks the registry about active companies,
entrepreneurs and state bodies with an INN, oldest check first, at night (Moscow), in small
batches: ``pace`` spreads the batches so that the registry sees at most
``CRM_REGISTRY_REFRESH_PER_MINUTE`` requests. The last check of any card (``registry_checked_at``)
is the shared clock of that pace, so several workers never multiply it. A company that
turns liquidating, liquidated, bankrupt or reorganising is flagged on its card and gets one
open back-office task.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.clients.cards import REGISTRY_STATUS_LABELS, Client, ClientKind

MOSCOW = ZoneInfo("Europe/Moscow")
NIGHT_HOURS = range(1, 6)  # 01:00–05:59 Moscow
EVERY = timedelta(hours=20)  # a card checked less than this ago is not due (one check a night)
FLAGGED = frozenset({"LIQUIDATING", "LIQUIDATED", "BANKRUPT", "REORGANIZING"})
KINDS = (ClientKind.COMPANY.value, ClientKind.ENTREPRENEUR.value, ClientKind.STATE.value)


def is_night(now: datetime) -> bool:
    return now.astimezone(MOSCOW).hour in NIGHT_HOURS


def batch_size(per_minute: int, interval_seconds: float) -> int:
    """Requests one tick may make at ``per_minute`` (at least one)."""
    return max(1, int(per_minute * interval_seconds / 60))


def paused(session: Session, now: datetime, size: int, per_minute: int) -> bool:
    """Whether the previous batch was too recent for another ``size`` requests at ``per_minute``."""
    last = session.scalar(select(func.max(Client.registry_checked_at)))
    return last is not None and now - last < timedelta(seconds=60 * size / max(per_minute, 1))


def due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Active cards with an INN not checked in the last ``EVERY``, never-checked first."""
    stale = (Client.registry_checked_at.is_(None)) | (Client.registry_checked_at < now - EVERY)
    stmt = (select(Client.id).where(Client.kind.in_(KINDS), Client.status == "active",
                                    Client.inn.is_not(None), stale)
            .order_by(Client.registry_checked_at.is_not(None), Client.registry_checked_at, Client.id)
            .limit(limit))
    return list(session.scalars(stmt))


def record_registry_state(session: Session, client: Client, status: str | None, now: datetime) -> str | None:
    """Keep the registry's answer; the Russian reason when the company has just become flagged."""
    previous = client.registry_status
    client.registry_checked_at = now
    if status is None or status not in REGISTRY_STATUS_LABELS:
        return None  # not found, or a state we do not know: only the check is recorded
    client.registry_status = status
    if status in FLAGGED and status != previous:
        return f"{client.display_name}: по данным реестра — {REGISTRY_STATUS_LABELS[status].lower()}"
    return None
