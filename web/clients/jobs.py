"""The background job that runs queued imports (scheduler tick, or a thread kicked off at once).

A batch is claimed with a conditional UPDATE (``queued`` → ``running``), so however many
web processes and workers run this job, each batch runs once. The job owns the
transaction: it commits after every chunk, which makes the progress visible to the
status endpoint and keeps memory flat.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import select, update

from models import db
from models.client_import import ClientImport
from models.client_import_run import run_import
from models.client_index import refresh_statistics
from models.users import User

log = logging.getLogger(__name__)


def _claim(app: Flask) -> int | None:
    clock = app.extensions["crm.clock"]
    for batch_id in db.session.scalars(select(ClientImport.id).where(ClientImport.status == "queued")
                                       .order_by(ClientImport.id).limit(5)):
        claimed = db.session.execute(
            update(ClientImport).where(ClientImport.id == batch_id, ClientImport.status == "queued")
            .values(status="running", started_at=clock.now()))
        db.session.commit()
        if claimed.rowcount == 1:
            return batch_id
    return None


def run_one(app: Flask, batch_id: int) -> None:
    """Run one claimed batch to the end; a crash marks it failed with the error."""
    clock = app.extensions["crm.clock"]
    batch = db.session.get(ClientImport, batch_id)
    actor = db.session.get(User, batch.user_id) if batch.user_id else None
    try:
        run_import(db.session, batch, actor, on_chunk=lambda _b: db.session.commit(), now=clock.now)
        db.session.commit()
        if not batch.dry_run:
            refresh_statistics(db.session, batch.created_count + batch.updated_count)
            db.session.commit()
    except Exception as exc:
        log.exception("client import #%s failed", batch_id)
        db.session.rollback()
        batch = db.session.get(ClientImport, batch_id)
        batch.status, batch.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        batch.finished_at = clock.now()
        db.session.commit()


def run_queued_imports(app: Flask) -> int:
    """Run every queued import; returns how many ran."""
    count = 0
    with app.app_context():
        while (batch_id := _claim(app)) is not None:
            run_one(app, batch_id)
            count += 1
        db.session.remove()
    return count


def start_in_background(app: Flask) -> None:
    """Start the queue right away in a thread, where a scheduler would pick it up anyway."""
    if app.extensions["crm.settings"].scheduler:
        threading.Thread(target=run_queued_imports, args=(app,), daemon=True,
                         name="client-import").start()
