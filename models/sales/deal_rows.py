"""Deal rows: what a deals-list row, a board card and a home-page row show, read as plain rows.

These pages show 8 to 240 deals at once and read only a few fields of each: the title, the
premium and probability, the dates behind the flags, the client's name and registry flag, the
stage, the funnel and the owner's name. Loaded as ORM entities with their four relations joined,
50 rows took 4.3 ms of CPU (identity map, a loader callable per unloaded column, relation
bookkeeping); read as one statement of plain columns into these records, 2.3 ms
(PostgreSQL, 200 000 deals). A row is read-only: a page that changes a deal loads the entity.
The records are named tuples, not frozen dataclasses: a frozen dataclass sets each of its 17
fields through ``object.__setattr__`` (3 µs a row against 0.5, 6 against 2 with its four parts),
which on a board of 240 cards was a millisecond.

``deal_flags`` reads a row as it reads a deal, so a row's flags are the deal's.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.identity.users import User
from models.sales.deals import Deal, deal_flags
from models.sales.funnels import Funnel, FunnelStage


class CardClient(NamedTuple):
    full_name: str
    short_name: str | None
    registry_flag: bool

    @property
    def display_name(self) -> str:
        return self.short_name or self.full_name


class CardStage(NamedTuple):
    name: str
    stuck_after_days: int | None


class CardName(NamedTuple):
    """A funnel's name, or an owner's ``full_name``: all a card shows of them."""

    name: str

    @property
    def full_name(self) -> str:
        return self.name


class DealRow(NamedTuple):
    id: int
    title: str
    client_id: int
    funnel_id: int
    stage_id: int
    owner_id: int | None
    status: str
    premium: Decimal | None
    probability: int
    stage_entered_at: datetime
    last_activity_at: datetime | None
    created_at: datetime
    offer_expires_on: date | None
    client: CardClient
    stage: CardStage
    funnel: CardName
    owner: CardName | None


_COLUMNS = (
    Deal.id, Deal.title, Deal.client_id, Deal.funnel_id, Deal.stage_id, Deal.owner_id, Deal.status,
    Deal.premium, Deal.probability, Deal.stage_entered_at, Deal.last_activity_at, Deal.created_at,
    Deal.offer_expires_on, Client.full_name, Client.short_name, Client.registry_flag, FunnelStage.name,
    FunnelStage.stuck_after_days, Funnel.name, User.full_name,
)


@cache
def _rows_select() -> Select:
    """The rows' columns with their joins, built once (a page adds its condition and order)."""
    return (select(*_COLUMNS).select_from(Deal)
            .join(Client, Client.id == Deal.client_id).join(FunnelStage, FunnelStage.id == Deal.stage_id)
            .join(Funnel, Funnel.id == Deal.funnel_id).outerjoin(User, User.id == Deal.owner_id))


def deal_rows(session: Session, chosen: ColumnElement[bool],
              now: datetime) -> list[tuple[DealRow, list[str]]]:
    """The deals matching ``chosen`` (a condition on ``Deal``: ids of a page, of a board's columns),
    newest first, each with its flags at ``now``, in one statement."""
    stmt = _rows_select().where(chosen).order_by(Deal.id.desc())
    found = []
    for (deal_id, title, client_id, funnel_id, stage_id, owner_id, status, premium, probability, entered,
         active, created, expires, full_name, short_name, flag, stage, stuck, funnel,
         owner) in session.execute(stmt):
        deal = DealRow(deal_id, title, client_id, funnel_id, stage_id, owner_id, status, premium, probability,
                       entered, active, created, expires, client=CardClient(full_name, short_name, flag),
                       stage=CardStage(stage, stuck), funnel=CardName(funnel),
                       owner=CardName(owner) if owner is not None else None)
        found.append((deal, deal_flags(deal, now)))  # type: ignore[arg-type]  # reads the same fields
    return found
