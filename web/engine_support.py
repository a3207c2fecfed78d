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


def _demo_processes(session) -> dict[str, int]:
    """Start a few data-quality reviews so the demo inbox is not empty (once)."""
    from sqlalchemy import func, select

    from engine.definitions import latest_definition
    from models.clients import Client
    from models.processes import ProcessInstance

    if latest_definition(session, "client_data_review") is None:
        return {"process_instances": 0}
    if session.scalar(select(func.count(ProcessInstance.id))):
        return {"process_instances": 0}
    settings = current_app.extensions["crm.settings"]
    engine = ProcessEngine(session, current_app.extensions["crm.clock"], settings.forms_dir, settings)
    clients = list(session.scalars(select(Client).order_by(Client.id).limit(3)))
    # Two cards "migrated from the old system" with a typo in the INN: the review catches them.
    owner = clients[0].owner if clients else None
    for name, inn in (("ООО «Старая база»", "7707083894"), ("АО «Опечатка»", "7736050004")):
        legacy = Client(kind="company", full_name=name, short_name=name, inn=inn, kpp="773601001",
                        ogrn="1027700132195", owner=owner, source="Перенос из старой CRM", tags=["demo"])
        session.add(legacy)
        clients.append(legacy)
    session.flush()
    for client in clients:
        engine.start("client_data_review", business_type="client", business_id=client.id,
                     title=f"Проверка реквизитов: {client.display_name}")
    return {"process_instances": len(clients)}


def init_app(app: Flask) -> None:
    from integrations import load_operations

    load_operations()
    app.extensions.setdefault("crm.demo_hooks", []).append(_demo_processes)
    app.extensions["crm.session_factory"] = session_factory(app)
    for name in ("timer_starts", "timers", "incident_retries", "outbox"):
        register_job(app, name, _job(app, name))
