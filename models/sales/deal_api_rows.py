"""Deals as the JSON API lists them, read as plain rows.

Why: ``GET /api/v1/deals`` shows up to 500 deals with every field, their funnel, stage and loss
reason, their flags and the time spent in each stage. Loaded as ORM entities (four relations
joined, the stage history by ``selectinload``), twenty deals took about 9 ms of CPU at 200 000
deals on PostgreSQL, more than half of it building and tracking objects nobody changes. Here the
deals come from one statement of plain columns and their stays from one more, into frozen records
with the attribute names the API's schema reads (``web.api.deals.DealSchema``: ``funnel.code``,
``stage.name``, ``loss_reason.name``, ``history[i].stage.code``…), so the schema, ``deal_flags``
and ``time_in_stages`` read a record as they read an entity. A record is read-only: an API call
that changes a deal loads the entity.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.sales.deals import Deal, DealStageHistory
from models.sales.funnels import Funnel, FunnelStage, LossReason


@dataclass(frozen=True, slots=True)
class ApiStage:
    code: str
    name: str
    stuck_after_days: int | None


@dataclass(frozen=True, slots=True)
class ApiCode:
    """A funnel's code, or a history stay's stage code: all the API shows of them."""

    code: str


@dataclass(frozen=True, slots=True)
class ApiReason:
    name: str


@dataclass(frozen=True, slots=True)
class ApiClient:
    registry_flag: bool


@dataclass(frozen=True, slots=True)
class ApiStay:
    stage: ApiCode
    entered_at: datetime
    seconds: int | None


@dataclass(frozen=True, slots=True)
class ApiDeal:
    id: int
    title: str
    status: str
    client_id: int
    owner_id: int | None
    lead_id: int | None
    amount: Decimal | None
    premium: Decimal | None
    probability: int
    expected_close_date: date | None
    product_lines: list[str]
    competitor_offers: list[dict]
    requested_discount: Decimal | None
    offer_expires_on: date | None
    contract_number: str | None
    contract_start: date | None
    contract_end: date | None
    contract_premium: Decimal | None
    last_activity_at: datetime | None
    stage_entered_at: datetime
    created_at: datetime
    funnel: ApiCode
    stage: ApiStage
    loss_reason: ApiReason | None
    client: ApiClient
    history: tuple[ApiStay, ...]


_RELATED = ("funnel", "stage", "loss_reason", "client", "history")
# The deal's own columns in ``ApiDeal``'s order (named by its fields), then what its relations show.
_OWN = tuple(getattr(Deal, f.name) for f in fields(ApiDeal) if f.name not in _RELATED)
_COLUMNS = (*_OWN, Funnel.code, FunnelStage.code, FunnelStage.name, FunnelStage.stuck_after_days,
            LossReason.name, Client.registry_flag)


@cache
def _deals_select() -> Select:
    """The deals' columns with their joins, built once (a page adds its condition and order): built
    per request, its 35 columns and four joins were a tenth of the page's CPU."""
    return (select(*_COLUMNS).select_from(Deal)
            .join(Client, Client.id == Deal.client_id).join(FunnelStage, FunnelStage.id == Deal.stage_id)
            .join(Funnel, Funnel.id == Deal.funnel_id)
            .outerjoin(LossReason, LossReason.id == Deal.loss_reason_id))


@cache
def _stays_select() -> Select:
    """The stays' columns with the stage's code, built once."""
    return (select(DealStageHistory.deal_id, FunnelStage.code, DealStageHistory.entered_at,
                   DealStageHistory.seconds)
            .join(FunnelStage, FunnelStage.id == DealStageHistory.stage_id))


def _stays(session: Session, ids: list[int]) -> dict[int, list[ApiStay]]:
    """The stays of the deals ``ids`` in the order of ``Deal.history`` (by id)."""
    stays: dict[int, list[ApiStay]] = defaultdict(list)
    if ids:
        rows = session.execute(_stays_select().where(DealStageHistory.deal_id.in_(ids))
                               .order_by(DealStageHistory.id))
        for deal_id, code, entered_at, seconds in rows:
            stays[deal_id].append(ApiStay(ApiCode(code), entered_at, seconds))
    return stays


def api_deals(session: Session, chosen: ColumnElement[bool]) -> list[ApiDeal]:
    """The deals matching ``chosen`` (a condition on ``Deal``: the ids of a page), newest first: two
    statements for the page, whatever its size. The schema works out their flags and stays' times."""
    stmt = _deals_select().where(chosen).order_by(Deal.id.desc())
    rows = session.execute(stmt).all()
    stays = _stays(session, [row[0] for row in rows])
    found = []
    for row in rows:
        own, (funnel, stage, stage_name, stuck, reason, registry_flag) = row[:len(_OWN)], row[len(_OWN):]
        found.append(ApiDeal(*own, ApiCode(funnel), ApiStage(stage, stage_name, stuck),  # type: ignore[call-arg]
                             ApiReason(reason) if reason is not None else None, ApiClient(registry_flag),
                             tuple(stays.get(row[0], ()))))
    return found
