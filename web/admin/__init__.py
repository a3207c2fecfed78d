"""Administration: employees, roles, departments, deputies and absences."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from web.admin import privacy, views  # noqa: E402,F401
