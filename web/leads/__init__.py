"""Leads: list, manual creation, the lead card with the manager's outcome form."""

from flask import Blueprint

bp = Blueprint("leads", __name__, url_prefix="/leads")

from web.leads import views  # noqa: E402,F401
