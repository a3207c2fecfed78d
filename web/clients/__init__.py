"""Clients: the list with search and filters, cards, contacts, duplicates, merge, import, export.

Views only parse the request, call ``models.clients`` and render; every rule (validation,
access, duplicates, merge, import) lives in ``models/clients/``.
"""

from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clients")

from web.clients import card, contacts, imports, views  # noqa: E402,F401
