"""Clients: the list with search and filters, cards, contacts, duplicates, merge, import, export.

Views only parse the request, call ``models.client_*`` and render; every rule (validation,
access, duplicates, merge, import) lives in ``models/``. Registering the blueprint also
registers the background job that runs queued imports.
"""

from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clients")


def _register_job(state) -> None:
    from web.clients.jobs import run_queued_imports
    from web.scheduler import register_job

    register_job(state.app, "client_imports", run_queued_imports)


bp.record_once(_register_job)


from web.clients import card, contacts, imports, views  # noqa: E402,F401
