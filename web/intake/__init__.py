"""Public lead intake: the site form endpoint and a small page with the form."""

from flask import Blueprint

bp = Blueprint("intake", __name__, url_prefix="/intake")

from web.intake import views  # noqa: E402,F401
