"""``registry_refresh``: the nightly refresh of active companies against the registry, rate-limited.

Each scheduler tick at night (Moscow) takes one batch of due cards
(``models.clients.registry_refresh``), asks the registry about each outside any open
transaction, and records every answer in a unit of work of its own. A company that has just
become liquidating, liquidated, bankrupt or reorganising gets one back-office task
(«Сопровождение сделок»). When the registry is down (a retryable failure) the batch stops and
the next tick tries again; a permanent refusal of one INN marks that card checked so it does
not block the queue.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.registry.client import RegistryError, registry_from_settings
from models.clients.cards import Client
from models.clients.registry_refresh import batch_size, due_ids, is_night, paused, record_registry_state
from models.platform.jobs import JobContext, run_unit
from models.tasks.adhoc import Task, TaskInput, create_task

log = logging.getLogger(__name__)
TASK_TITLE = "Проверить клиента по реестру"
DEPARTMENT = "deal_support"  # back office


def _open_task(session: Session, client_id: int) -> bool:
    stmt = select(Task.id).where(Task.title == TASK_TITLE, Task.business_type == "client",
                                 Task.business_id == client_id, Task.is_open.is_(True))
    return session.scalar(stmt) is not None


def registry_refresh(context: JobContext) -> int:
    """One batch of the nightly refresh; returns how many cards were checked."""
    now = context.clock.now()
    if not is_night(now):
        return 0
    per_minute = context.settings.registry_refresh_per_minute
    size = batch_size(per_minute, context.settings.scheduler_interval)
    with context.session_factory() as session:
        if paused(session, now, size, per_minute):
            return 0
        ids = due_ids(session, now, size)
        rows = session.execute(select(Client.id, Client.inn).where(Client.id.in_(ids)))
        inns = {cid: inn for cid, inn in rows}
    registry = registry_from_settings(context.settings)
    checked = 0
    for client_id in ids:
        try:
            info = registry.find_by_inn(inns[client_id] or "")
            status = info.status if info is not None else None
        except RegistryError as exc:
            if exc.retryable:
                log.info("registry refresh paused: %s", exc.message)
                break
            status = None

        def work(session: Session, client_id: int = client_id, status: str | None = status) -> bool:
            client = session.get(Client, client_id)
            if client is None:
                return False
            at = context.clock.now()
            reason = record_registry_state(session, client, status, at)
            if reason and not _open_task(session, client_id):
                create_task(session, TaskInput(title=TASK_TITLE, description=reason, department=DEPARTMENT,
                                               business_type="client", business_id=client_id,
                                               due_at=at + timedelta(days=1)),
                            None, at, context.settings.escalation_grace)
            return True

        checked += bool(run_unit(context.session_factory, work))
    return checked
