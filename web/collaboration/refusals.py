"""Refused collaboration actions answer 422 with the Russian message (a page, or JSON for the API)."""

from __future__ import annotations

from models.collaboration.request_service import RequestError
from models.tasks.comments import CommentError
from web.collaboration import bp
from web.errors import error_response


@bp.errorhandler(CommentError)
@bp.errorhandler(RequestError)
def _refused(exc: CommentError | RequestError):
    """An empty message in a thread, a mark without its tag, a request that cannot be sent."""
    return error_response(422, exc.message, "validation", fields=getattr(exc, "fields", {}))
