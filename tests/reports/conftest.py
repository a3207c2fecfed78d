"""A small fixed data set with figures computed by hand (see ``FixedSales``), on both databases.

Times are UTC; the reports bucket them by the Moscow date, so two deals won 60 minutes apart
on the evening of 31 January fall into January (23:30 MSK) and February (00:30 MSK).

| deal | owner | product | premium | path (UTC) |
| --- | --- | --- | --- | --- |
| D1 | manager | ДМС | 100 000 (contract 120 000) | new 10.01 09:00, qualification 12.01, offer_sent 15.01, |
| | | | | won 31.01 20:30 |
| D2 | manager | КАСКО | 50 000 | new 20.01 06:00, won 31.01 21:30 (01.02 00:30 MSK) |
| D3 | manager2 | ДМС | 80 000 | new 05.01 12:00, lost 25.01 12:00 «Дорого» |
| D4 | manager2 | ДМС | 200 000, close 20.02 | new 15.01, negotiation 18.01 (70 %) |
| D5 | manager | ОСАГО | 30 000, close 05.02 | new 02.02 (5 %) |
| D6 | manager | КАСКО | 40 000, close 10.03 | new 28.01, contract 03.02 (90 %); a call 05.02 |

A meeting of manager's at 31.01 22:00 UTC is a February activity. «Now» is 10.02.2026 09:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from models.clients.cards import Client
from models.sales.activities import log_activity
from models.sales.deals import Deal, move_stage, open_deal
from models.sales.funnels import LossReason, ensure_default_funnels, funnel_by_code
from models.sales.routing import ensure_default_teams

NOW = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


def at(day: str, hm: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}:00+00:00")


class FixedSales:
    """The data set of the module docstring, built through the sales services (so the hook sees it)."""

    def __init__(self, session, users) -> None:
        self.session, self.users = session, users
        ensure_default_funnels(session)
        ensure_default_teams(session)
        session.commit()
        self.funnel = funnel_by_code(session, "company")
        self.clients = {
            "logistics": Client(
                kind="company", full_name="ООО «Логистика»", industry="Логистика", owner=users["manager"]
            ),
            "retail": Client(
                kind="company", full_name="ООО «Ритейл»", industry="Торговля", owner=users["manager2"]
            ),
        }
        session.add_all(self.clients.values())
        session.commit()
        self.deals: dict[str, Deal] = {}

    def deal(
        self,
        name: str,
        owner: str,
        client: str,
        product: str,
        premium: int,
        created: datetime,
        close: date | None = None,
    ) -> Deal:
        deal = open_deal(
            self.session,
            client=self.clients[client],
            funnel=self.funnel,
            owner_id=self.users[owner].id,
            now=created,
            title=name,
            premium=Decimal(premium),
            product_lines=[product],
            expected_close_date=close,
        )
        self.session.commit()
        self.deals[name] = deal
        return deal

    def move(self, name: str, stage: str, when: datetime, **data) -> None:
        deal = self.deals[name]
        move_stage(self.session, deal, stage, user_id=deal.owner_id, now=when, data=data)
        self.session.commit()

    def build(self) -> FixedSales:
        won = {"contract_number": "Д-1", "contract_start": "2026-02-01", "contract_end": "2027-01-31"}
        reason = self.session.scalar(select(LossReason).where(LossReason.name == "Дорого"))
        self.deal("D1", "manager", "logistics", "ДМС", 100_000, at("2026-01-10"))
        self.move("D1", "qualification", at("2026-01-12"))
        self.move("D1", "offer_sent", at("2026-01-15"))
        self.move("D1", "won", at("2026-01-31", "20:30"), contract_premium="120000", **won)
        self.deal("D2", "manager", "logistics", "КАСКО", 50_000, at("2026-01-20", "06:00"))
        self.move("D2", "won", at("2026-01-31", "21:30"), contract_premium="50000", **won)
        self.deal("D3", "manager2", "retail", "ДМС", 80_000, at("2026-01-05", "12:00"))
        self.move("D3", "lost", at("2026-01-25", "12:00"), loss_reason_id=str(reason.id))
        self.deal("D4", "manager2", "retail", "ДМС", 200_000, at("2026-01-15"), date(2026, 2, 20))
        self.move("D4", "negotiation", at("2026-01-18"))
        self.deal("D5", "manager", "logistics", "ОСАГО", 30_000, at("2026-02-02"), date(2026, 2, 5))
        self.deal("D6", "manager", "logistics", "КАСКО", 40_000, at("2026-01-28"), date(2026, 3, 10))
        self.move("D6", "contract", at("2026-02-03"))
        log_activity(
            self.session,
            kind="call",
            subject="Уточнить условия",
            happened_at=at("2026-02-05", "10:00"),
            now=NOW,
            user_id=self.users["manager"].id,
            deal=self.deals["D6"],
        )
        log_activity(
            self.session,
            kind="meeting",
            subject="Подписание",
            happened_at=at("2026-01-31", "22:00"),
            now=NOW,
            user_id=self.users["manager"].id,
            deal=self.deals["D2"],
        )
        self.session.commit()
        return self


@pytest.fixture
def sales(session, demo_users) -> FixedSales:
    return FixedSales(session, demo_users).build()
