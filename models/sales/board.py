"""The funnel board: its columns (totals and newest cards) and the drag-and-drop move.

A column's totals (count, premium, weighted premium) cover every deal of the stage the viewer
may see under the board's filters. Without a filter that needs the deals themselves (a flag, a
search, a client) they are read from ``report_deal_total`` (``models.reports.tables.DealTotal``:
per owner, funnel, stage and status, kept in the deal's own transaction) — a few hundred rows
whatever the number of deals; with one, aggregated over the matching deals as before. A column's
newest cards are an index range each (``(funnel_id, stage_id, id)``, or ``(stage_id, owner_id,
id)`` for a manager), all columns in one statement, never a window over the funnel's deals.

The board page sends one JSON request per drop; the answer carries everything the page redraws
(the deal's stage, probability and the count, sum and weighted sum of every column under the
board's filters), so the page never reloads and never computes money itself. A refused drop
raises ``DealError`` before anything changes: the page puts the card back and shows the reasons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.money import CENT, rub
from models.reports.tables import DealTotal
from models.sales.deal_rows import DealRow, deal_rows
from models.sales.deals import Deal
from models.sales.funnels import Funnel, FunnelStage
from models.sales.queries import DealFilter, _filtered_deals
from models.sales.service import move_deal

BOARD_CARDS = 30  # cards shown per board column; the column's count and sums cover all its deals


@dataclass
class BoardColumn:
    """One stage of a funnel board: how many deals and what they weigh, and the newest cards."""

    stage: FunnelStage
    count: int = 0
    premium: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    cards: list[tuple[DealRow, list[str]]] = field(default_factory=list)


def _summarised(filters: DealFilter) -> bool:
    """Whether the totals kept per owner, funnel, stage and status hold what ``filters`` ask."""
    return not (filters.flag or (filters.q and filters.q.strip()) or filters.client_id)


def _matching(session: Session, user: User, now: datetime, filters: DealFilter) -> Select:
    """The deals ``user`` may see that match ``filters`` in every funnel and stage (scoped once)."""
    return _filtered_deals(session, user, now, replace(filters, funnel=None, stage=None))


def _visible(matching: Select) -> Any:
    """An owner's totals count when one of the owner's deals is among ``matching`` (owner 0: no owner).

    The deal's own scope rule asked per owner (as ``models.reports.custom_totals`` does): exact
    while the rule decides by the owner, which is what totals keyed by owner assume; one index
    probe per totals row.
    """
    some = matching.with_only_columns(literal(1)).select_from(Deal)
    return or_(some.where(Deal.owner_id == DealTotal.owner_id).exists(),
               and_(DealTotal.owner_id == 0, some.where(Deal.owner_id.is_(None)).exists()))


def _kept_totals(matching: Select, filters: DealFilter, funnel: Funnel) -> Select:
    """Per stage: count, premium and weighted premium (kopecks, kopecks × %) from the kept totals."""
    stmt = (select(DealTotal.stage_id, func.sum(DealTotal.n), func.sum(DealTotal.premium_kop),
                   func.sum(DealTotal.weighted_pk))
            .where(DealTotal.funnel_id == funnel.id, _visible(matching)).group_by(DealTotal.stage_id))
    if filters.status:
        stmt = stmt.where(DealTotal.status == filters.status)
    if filters.owner_id:
        stmt = stmt.where(DealTotal.owner_id == filters.owner_id)
    return stmt


def _counted_totals(matching: Select, funnel: Funnel) -> Select:
    """The same figures aggregated over the matching deals (a flag, a search or a client asked)."""
    kop = func.round(func.coalesce(Deal.premium, 0) * 100)
    return (matching.where(Deal.funnel_id == funnel.id)
            .with_only_columns(Deal.stage_id, func.count(Deal.id), func.sum(kop),
                               func.sum(kop * Deal.probability))
            .group_by(Deal.stage_id))


def _stage_totals(session: Session, matching: Select, filters: DealFilter,
            funnel: Funnel) -> dict[int, BoardColumn]:
    columns = {stage.id: BoardColumn(stage) for stage in funnel.stages}
    kept = _summarised(filters)
    stmt = _kept_totals(matching, filters, funnel) if kept else _counted_totals(matching, funnel)
    for stage_id, count, premium_kop, weighted_pk in session.execute(stmt):
        column = columns.get(stage_id)
        if column is not None and count:
            column.count = int(count)
            column.premium = Decimal(int(premium_kop or 0)) / 100
            column.weighted = (Decimal(int(weighted_pk or 0)) / 10000).quantize(CENT)
    return columns


def board_totals(session: Session, user: User, now: datetime, filters: DealFilter,
                 funnel: Funnel) -> list[BoardColumn]:
    """The board's column totals without cards (what a drag-and-drop move answers with)."""
    return list(_stage_totals(session, _matching(session, user, now, filters), filters, funnel).values())


def board_columns(session: Session, user: User, now: datetime, filters: DealFilter,
                  funnel: Funnel) -> list[BoardColumn]:
    """The board of ``funnel``: per stage the totals (``board_totals``) and its ``BOARD_CARDS``
    newest cards — one index range per stage, the ranges in one statement."""
    matching = _matching(session, user, now, filters)
    columns = _stage_totals(session, matching, filters, funnel)
    ranges = [select(newest.c.id) for newest in (
        matching.with_only_columns(Deal.id).where(Deal.funnel_id == funnel.id, Deal.stage_id == stage_id)
        .order_by(Deal.id.desc()).limit(BOARD_CARDS).subquery() for stage_id in columns)]
    if not ranges:
        return []
    for card, flags in deal_rows(session, Deal.id.in_(union_all(*ranges).scalar_subquery()), now):
        columns[card.stage_id].cards.append((card, flags))
    return list(columns.values())


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
