"""Process administration: deployed definitions, instances, their history and incidents."""

from flask import Blueprint

bp = Blueprint("processes", __name__, url_prefix="/processes")

from web.processes import views  # noqa: E402,F401
