"""The in-process scheduler: periodic jobs (timers, outbox, reminders) on APScheduler.

Features add jobs with ``register_job(app, name, func)``; each job receives the app and
runs inside an app context with its own transaction(s). Jobs claim work row by row in
the database, so several processes may run the scheduler at once safely.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from models import db

log = logging.getLogger(__name__)
Job = Callable[[Flask], object]


def register_job(app: Flask, name: str, func: Job) -> None:
    app.extensions.setdefault("crm.jobs", {})[name] = func


def registered_jobs(app: Flask) -> dict[str, Job]:
    return dict(app.extensions.get("crm.jobs", {}))


def run_jobs_once(app: Flask) -> dict[str, object]:
    """Run every registered job once now (the scheduler tick; also used by tests)."""
    results = {}
    for name, func in registered_jobs(app).items():
        results[name] = _run(app, name, func)
    return results


def _run(app: Flask, name: str, func: Job) -> object:
    with app.app_context():
        try:
            return func(app)
        except Exception:
            log.exception("scheduler job %s failed", name)
            db.session.rollback()
            return None
        finally:
            db.session.remove()


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
