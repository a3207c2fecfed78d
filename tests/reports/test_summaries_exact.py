"""Month buckets of stage entries (0020_report_speed) match a direct query after edits, moves, deletes."""

from __future__ import annotations

from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from models.reports.dashboard import TILES
from models.reports.scope import owner_ids, parse_filter
from models.reports.tables import StageEntryMonth
from models.sales.deals import Deal, DealStageHistory
from tests.reports.conftest import NOW, at

MOSCOW = ZoneInfo("Europe/Moscow")


def _direct(session) -> Counter:
    """Entries by Moscow month, owner, funnel, stage and first product, straight from the deals."""
    rows = session.execute(
        select(
            DealStageHistory.entered_at,
            Deal.owner_id,
            Deal.funnel_id,
            DealStageHistory.stage_id,
            Deal.product_lines,
        ).join(Deal, Deal.id == DealStageHistory.deal_id)
    )
    return Counter(
        (entered.astimezone(MOSCOW).date().replace(day=1), owner or 0, funnel, stage, (lines or [""])[0])
        for entered, owner, funnel, stage, lines in rows
    )


def _kept(session) -> Counter:
    session.expire_all()
    return Counter(
        {
            (r.month, r.owner_id, r.funnel_id, r.stage_id, r.product): r.n
            for r in session.scalars(select(StageEntryMonth))
            if r.n
        }
    )


def test_month_buckets_follow_edits_moves_and_deletes(sales, session, demo_users):
    assert _kept(session) == _direct(session) and sum(_direct(session).values()) == 13
    sales.move("D5", "qualification", at("2026-02-28", "21:30"))  # 00:30 MSK on 1 March: March's
    d4 = sales.deals["D4"]
    d4.owner_id = demo_users["manager"].id  # a hand-over moves all its entries
    d4.product_lines = ["КАСКО", "ДМС"]  # … and so does a new first product
    session.commit()
    assert _kept(session) == _direct(session)
    assert _kept(session)[(date(2026, 3, 1), demo_users["manager"].id, d4.funnel_id,
                           sales.deals["D5"].stage_id, "ОСАГО")] == 1
    session.delete(sales.deals["D3"])
    session.commit()
    assert _kept(session) == _direct(session) and sum(_direct(session).values()) == 12


def test_funnel_of_a_week_across_two_months_adds_edge_days_to_whole_months(sales, session, demo_users):
    """A week (days only), a month (one month bucket) and a quarter (months) give the direct counts."""
    head = demo_users["head"]

    def funnel(**args):
        f = parse_filter(args, NOW)
        return {s.code: s.n for s in TILES["funnel"](session, owner_ids(session, head, f), f, NOW)}

    def direct(first: date, last: date) -> Counter:
        rows = session.execute(select(DealStageHistory.entered_at, DealStageHistory.stage_id))
        stages = {s.id: s.code for s in sales.funnel.stages}
        return Counter(
            stages[s] for e, s in rows if first <= e.astimezone(MOSCOW).date() <= last
        )

    week = funnel(period="week", date="2026-01-29")  # Monday 26.01 – Sunday 01.02
    expected = direct(date(2026, 1, 26), date(2026, 2, 1))
    assert {k: v for k, v in week.items() if v} == dict(expected) and expected["won"] == 2
    quarter = funnel(period="quarter", date="2026-02-01")
    expected = direct(date(2026, 1, 1), date(2026, 3, 31))
    assert {k: v for k, v in quarter.items() if v} == {k: v for k, v in expected.items() if k != "lost"}
    assert funnel(period="month", date="2026-01-10")["new"] == 5
