"""Serves front-end packages installed by npm (``node_modules``), never copied into git."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, send_from_directory

from models.platform.settings import PROJECT_ROOT
from web.security import public

NODE_MODULES = PROJECT_ROOT / "node_modules"
# Only these folders of installed packages are reachable from the browser.
ALLOWED = {
    "bootstrap": NODE_MODULES / "bootstrap" / "dist",
    "bootstrap-icons": NODE_MODULES / "bootstrap-icons" / "font",
    "chart.js": NODE_MODULES / "chart.js" / "dist",
    "chartjs-chart-funnel": NODE_MODULES / "chartjs-chart-funnel" / "build",
    "sortablejs": NODE_MODULES / "sortablejs",  # the deal board's drag-and-drop (Sortable.min.js)
    "flatpickr": NODE_MODULES / "flatpickr" / "dist",  # the Russian date picker (ДД.ММ.ГГГГ)
}

bp = Blueprint("assets", __name__)


@bp.get("/vendor/<package>/<path:filename>")
@public
def vendor(package: str, filename: str):
    """A file of an allowed npm package, cached by the browser for a day."""
    root = ALLOWED.get(package)
    if root is None:
        abort(404)
    return send_from_directory(root, filename, max_age=86400)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
