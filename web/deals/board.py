"""The funnel board's drop: one JSON call per card dropped on another column.

The page sends the stage (and the loss reason when it asked for one) with the CSRF token in the
``X-CSRFToken`` header; the answer is the deal's new stage and every column's totals, or 422 with
the Russian reasons the page shows next to the card it puts back.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from models.platform.db import db
from models.sales.board import move_json, move_on_board
from models.sales.deals import DealError
from web.deals import bp
from web.deals.views import filters_of
from web.errors import error_response
from web.security import clock


@bp.post("/<int:deal_id>/board-move")
def board_move(deal_id: int):
    """Move a deal dropped on another board column; JSON answer with the new column totals."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("stage"), str):
        return error_response(400, "Не указан этап, куда перенести сделку", code="stage_missing")
    try:
        move = move_on_board(db.session, current_user, deal_id, data["stage"],
                             {k: str(v) for k, v in data.items() if v is not None}, clock().now(),
                             filters_of(request.args, current_user.id))
    except DealError as exc:
        return error_response(422, str(exc), code="deal_refused", fields=exc.errors)
    return jsonify(move_json(move))
