"""Insurance history pages: a client's policies and claims by year; importing policies and claims."""

from flask import Blueprint

bp = Blueprint("insurance", __name__, url_prefix="/insurance")

from web.insurance import views  # noqa: E402,F401
