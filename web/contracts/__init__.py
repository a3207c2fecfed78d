"""Contracts and renewals pages: «На продление», a contract's card, the import, the risk thresholds."""

from flask import Blueprint

bp = Blueprint("contracts", __name__, url_prefix="/contracts")

from web.contracts import views  # noqa: E402,F401
