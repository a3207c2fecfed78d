"""Wiring the engine into the Flask app: an engine per request, scheduler jobs per app."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import sessionmaker

from engine import jobs, outbox
from engine.runtime import ProcessEngine
from models import db
from web.scheduler import register_job


def process_engine() -> ProcessEngine:
    """An engine on the request's (or command's) session; the caller commits."""
    settings = current_app.extensions["crm.settings"]
    return ProcessEngine(db.session, current_app.extensions["crm.clock"], settings.forms_dir, settings)


def session_factory(app: Flask) -> sessionmaker:
    """Independent sessions for background jobs, one per unit of work."""
    with app.app_context():
        return sessionmaker(bind=db.engine, expire_on_commit=False)


def _job(app: Flask, name: str):
    def run(application: Flask) -> int:
        settings = application.extensions["crm.settings"]
        clock = application.extensions["crm.clock"]
        factory = application.extensions["crm.session_factory"]
        if name == "outbox":
            return outbox.deliver_due(factory, clock, settings)
        func = {"timers": jobs.fire_due_timers, "timer_starts": jobs.start_scheduled,
                "incident_retries": jobs.retry_due_incidents}[name]
        return func(factory, clock, settings.forms_dir, settings)
    return run


def init_app(app: Flask) -> None:
    from integrations import load_operations

    load_operations()
    app.extensions["crm.session_factory"] = session_factory(app)
    for name in ("timer_starts", "timers", "incident_retries", "outbox"):
        register_job(app, name, _job(app, name))
