"""The funnel board's drag-and-drop: a card dropped on another column moves the deal through the
same stage rules as the card's stage form, and answers with the new column totals.

The board page sends one JSON request per drop; the answer carries everything the page redraws
(the deal's stage, probability and the count, sum and weighted sum of every column under the
board's filters), so the page never reloads and never computes money itself. A refused drop
raises ``DealError`` before anything changes: the page puts the card back and shows the reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.money import CENT, rub
from models.sales.deals import Deal
from models.sales.queries import BoardColumn, DealFilter, board_totals
from models.sales.service import move_deal

# What a drop may carry besides the stage: the loss reason and comment, the contract data of «Выиграна».
DROP_FIELDS = ("loss_reason_id", "loss_comment", "contract_number", "contract_start", "contract_end",
               "contract_premium")


@dataclass(frozen=True)
class BoardMove:
    """The moved deal and the board's column totals after the move."""

    deal: Deal
    columns: list[BoardColumn]


def move_on_board(session: Session, actor: User, deal_id: int, stage: str, data: Mapping[str, Any],
                  now: datetime, filters: DealFilter) -> BoardMove:
    """Move the deal to ``stage`` (the rules of ``move_deal``) and total its funnel's columns anew."""
    fields = {k: v for k, v in data.items() if k in DROP_FIELDS}
    deal = move_deal(session, actor, deal_id, stage, fields, now)
    return BoardMove(deal=deal, columns=board_totals(session, actor, now, filters, deal.funnel))


def move_json(move: BoardMove) -> dict[str, Any]:
    """The drop's answer: the deal's new place and the column totals by stage code, money already
    written the Russian way (and as a decimal string for scripts)."""
    deal = move.deal
    return {"deal_id": deal.id, "stage": deal.stage.code, "stage_name": deal.stage.name,
            "probability": deal.probability, "status": deal.status,
            "columns": {c.stage.code: _totals(c) for c in move.columns}}


def _totals(column: BoardColumn) -> dict[str, Any]:
    return {"count": column.count, "premium": rub(column.premium), "weighted": rub(column.weighted),
            "premium_value": str(column.premium.quantize(CENT)),
            "weighted_value": str(column.weighted.quantize(CENT))}
