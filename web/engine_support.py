"""Wiring the engine into the Flask app: its services built once, an engine per request's session."""

from __future__ import annotations

from flask import Flask, current_app

from engine.api import ProcessEngine
from engine.ports import EngineServices
from models.platform.db import db


def engine_services(app: Flask) -> EngineServices:
    """The app's engine services (clock, settings, user directory, operations), built on first use."""
    services = app.extensions.get("crm.engine")
    if services is None:
        services = EngineServices.from_registry(app.extensions["crm.registry"], app.extensions["crm.clock"],
                                                app.extensions["crm.settings"])
        app.extensions["crm.engine"] = services
    return services


def process_engine() -> ProcessEngine:
    """An engine on the request's (or command's) session; the unit of work commits."""
    return engine_services(current_app).engine(db.session())
