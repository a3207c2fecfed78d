"""Health checks."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from web.main import views  # noqa: E402,F401
