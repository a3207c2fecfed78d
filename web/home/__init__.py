"""The home page ``/``: each role's own start screen (``models.home``), and the favicon."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from web.home import views  # noqa: E402,F401
