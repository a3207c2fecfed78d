"""The in-process scheduler: the registry's jobs (timers, outbox, reminders, imports) on APScheduler.

Packages declare jobs in their ``register`` (``Registry.job``); each job gets a
``JobContext`` with a session factory of its own and opens its transactions through the job
runner (``models.platform.jobs.run_unit``). Jobs claim work row by row in the database, so
several processes may run the scheduler at once safely.
"""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.orm import sessionmaker

from models.platform.db import db
from models.platform.jobs import JobContext
from models.platform.registry import Job, Registry

log = logging.getLogger(__name__)


def session_factory(app: Flask) -> sessionmaker:
    """Independent sessions for background jobs, one per unit of work."""
    with app.app_context():
        return sessionmaker(bind=db.engine, expire_on_commit=False)


def job_context(app: Flask) -> JobContext:
    registry: Registry = app.extensions["crm.registry"]
    return JobContext(session_factory=app.extensions["crm.session_factory"],
                      clock=app.extensions["crm.clock"], settings=app.extensions["crm.settings"],
                      registry=registry)


def registered_jobs(app: Flask) -> dict[str, Job]:
    return dict(app.extensions["crm.registry"].jobs)


def run_jobs_once(app: Flask) -> dict[str, object]:
    """Run every registered job once now (the scheduler tick; also used by tests)."""
    return {name: _run(app, name, func) for name, func in registered_jobs(app).items()}


def _run(app: Flask, name: str, func: Job) -> object:
    try:
        return func(job_context(app))
    except Exception:
        log.exception("scheduler job %s failed", name)
        return None


def run_soon(app: Flask, name: str) -> None:
    """Run one job right away in a thread, where a scheduler would pick its work up anyway."""
    if app.extensions["crm.settings"].scheduler:
        threading.Thread(target=_run, args=(app, name, registered_jobs(app)[name]), daemon=True,
                         name=f"job-{name}").start()


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start a background scheduler ticking every ``scheduler_interval`` seconds."""
    interval = app.extensions["crm.settings"].scheduler_interval
    scheduler = BackgroundScheduler(timezone="UTC", daemon=True)
    for name, func in registered_jobs(app).items():
        scheduler.add_job(_run, "interval", seconds=interval, args=(app, name, func), id=name,
                          max_instances=1, coalesce=True)
    scheduler.start()
    log.info("scheduler started with jobs: %s", ", ".join(registered_jobs(app)) or "none")
    return scheduler
