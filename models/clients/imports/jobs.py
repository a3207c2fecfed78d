"""The background job that runs queued imports (scheduler tick, or a thread kicked off at once).

A batch is claimed with a conditional UPDATE (``queued`` → ``running``) in a unit of work of
its own, so however many web processes and workers run this job, each batch runs once.
Each chunk of rows is its own unit of work too: progress becomes visible to the status
page as it goes and memory stays flat; a crash marks the batch failed with the error.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from models.clients.imports.batches import ClientImport
from models.clients.imports.run import run_import
from models.clients.index import refresh_statistics
from models.identity.users import User
from models.platform.jobs import JobContext, SessionFactory, run_unit
from models.platform.unit_of_work import unit_of_work

log = logging.getLogger(__name__)


def _claim(context: JobContext) -> int | None:
    def work(session: Session) -> int | None:
        for batch_id in session.scalars(select(ClientImport.id).where(ClientImport.status == "queued")
                                        .order_by(ClientImport.id).limit(5)).all():
            claimed = cast(CursorResult[Any], session.execute(
                update(ClientImport).where(ClientImport.id == batch_id, ClientImport.status == "queued")
                .values(status="running", started_at=context.clock.now())))
            if claimed.rowcount == 1:
                return batch_id
        return None

    return run_unit(context.session_factory, work)


def _mark_failed(session_factory: SessionFactory, batch_id: int, error: str, now: datetime) -> None:
    def work(session: Session) -> None:
        batch = session.get_one(ClientImport, batch_id)
        batch.status, batch.error = "failed", error[:2000]
        batch.finished_at = now

    run_unit(session_factory, work)


def run_one(context: JobContext, batch_id: int) -> None:
    """Run one claimed batch to the end, a unit of work per chunk."""
    with context.session_factory() as session:
        try:
            with unit_of_work(session) as work:
                batch = session.get_one(ClientImport, batch_id)  # claimed by this worker
                actor = session.get(User, batch.user_id) if batch.user_id else None
                run_import(session, batch, actor, on_chunk=lambda _batch: work.checkpoint(),
                           now=context.clock.now, overlap=None)
            if not batch.dry_run:
                with unit_of_work(session):
                    refresh_statistics(session, batch.created_count + batch.updated_count)
        except Exception as exc:
            log.exception("client import #%s failed", batch_id)
            _mark_failed(context.session_factory, batch_id, f"{type(exc).__name__}: {exc}",
                         context.clock.now())


def run_queued_imports(context: JobContext) -> int:
    """Run every queued import; returns how many ran."""
    count = 0
    while (batch_id := _claim(context)) is not None:
        run_one(context, batch_id)
        count += 1
    return count
