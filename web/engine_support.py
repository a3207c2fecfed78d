"""Wiring the engine into the Flask app: an engine on the request's (or command's) session."""

from __future__ import annotations

from flask import current_app

from engine.runtime import ProcessEngine
from models.platform.db import db


def process_engine() -> ProcessEngine:
    """An engine on the request's (or command's) session; the unit of work commits."""
    settings = current_app.extensions["crm.settings"]
    return ProcessEngine(db.session, current_app.extensions["crm.clock"], settings.forms_dir, settings)
