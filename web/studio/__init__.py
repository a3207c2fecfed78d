"""The process studio (``/studio``): edit BPMN, DMN and forms, deploy versions, see instances,
analytics and simulations on the diagram, triggers, feedback from the task pages.

Looking needs ``VIEW_PROCESSES`` (analysts, admins); changing needs ``EDIT_PROCESSES``,
deploying ``DEPLOY_PROCESSES`` — both checked by the services in ``models.studio``.
Pages are server-rendered; the diagrams are drawn by the esbuild bundle in
``web/static/studio/`` (built by ``npm ci``), which talks to the JSON endpoints under
``/studio/api``. Leaving feedback on a step is open to whoever may see the task.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from models.platform.permissions import Permission, require
from models.studio.errors import StudioError
from web.errors import error_response

bp = Blueprint("studio", __name__, url_prefix="/studio")
OPEN_TO_TASK_VIEWERS = frozenset({"studio.feedback"})


@bp.before_request
def _process_people_only() -> None:
    if request.endpoint not in OPEN_TO_TASK_VIEWERS:
        require(current_user, Permission.VIEW_PROCESSES)


@bp.errorhandler(StudioError)
def _refused(exc: StudioError):
    """A refusal of the studio: JSON with the problems for the editor's calls, a page otherwise."""
    if request.path.startswith("/studio/api/"):
        from flask import jsonify

        body = {"error": {"code": "studio", "message": exc.message, "problems": exc.problems}}
        return jsonify(body), exc.status
    return error_response(exc.status, exc.message, "studio")


from web.studio import editor_views, insight_views, trigger_views, views  # noqa: E402,F401
