"""Dashboard figures on the fixed data set, against the values computed by hand in ``conftest``."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from models.reports.dashboard import TILES
from models.reports.pages import dashboard_page
from models.reports.plans import set_plans
from models.reports.rebuild import rebuild_summaries
from models.reports.scope import owner_ids, parse_filter
from models.reports.tables import SUMMARY_TABLES
from tests.reports.conftest import NOW


def _tile(session, user, name, **args):
    f = parse_filter(args, NOW)
    return TILES[name](session, owner_ids(session, user, f), f, NOW)


def test_funnel_conversion_counts_entries_by_moscow_day(sales, session, demo_users):
    head = demo_users["head"]
    january = {
        s.code: (s.n, s.previous, s.conversion) for s in _tile(session, head, "funnel", date="2026-01-15")
    }
    assert january["new"] == (5, 0, Decimal("100.0"))
    assert january["qualification"][:2] == (1, 0) and january["offer_sent"][0] == 1
    assert january["negotiation"][0] == 1 and january["contract"][0] == 0
    assert january["won"] == (1, 0, Decimal("20.0"))  # D1 won 23:30 MSK on 31.01; D2 won in February
    assert "lost" not in january
    february = {s.code: (s.n, s.previous) for s in _tile(session, head, "funnel", date="2026-02-01")}
    assert february["new"] == (1, 5) and february["contract"] == (1, 0) and february["won"] == (1, 1)


def test_won_lost_average_deal_size_and_cycle_length(sales, session, demo_users):
    head = demo_users["head"]
    january = _tile(session, head, "outcomes", date="2026-01-01")
    assert (january.won, january.lost, january.won_premium) == (1, 1, Decimal("120000.00"))
    assert january.avg_premium == Decimal("120000.00")
    assert january.avg_cycle_days == Decimal("21.5")  # 10.01 09:00 → 31.01 20:30 = 21 d 11.5 h
    february = _tile(session, head, "outcomes", date="2026-02-28")
    assert (february.won, february.won_premium, february.avg_cycle_days) == (
        1,
        Decimal("50000.00"),
        Decimal("11.6"),
    )


def test_weighted_forecast_for_month_and_quarter(sales, session, demo_users):
    month, quarter = _tile(session, demo_users["head"], "forecast")
    assert (month.pipeline, month.weighted, month.commit, month.best, month.deals) == (
        Decimal("230000.00"),
        Decimal("141500.00"),
        Decimal("200000.00"),
        Decimal("200000.00"),
        2,
    )
    assert (quarter.pipeline, quarter.weighted, quarter.commit) == (
        Decimal("270000.00"),
        Decimal("177500.00"),
        Decimal("240000.00"),
    )
    own_month, _ = _tile(session, demo_users["manager"], "forecast")
    assert (own_month.pipeline, own_month.weighted) == (Decimal("30000.00"), Decimal("1500.00"))


def test_flag_tiles_match_the_deals_list_for_head_and_manager(sales, session, demo_users):
    head, manager = demo_users["head"], demo_users["manager"]
    assert [_tile(session, head, k) for k in ("stuck", "no_activity", "offer_expiring", "registry")] == [
        2,
        2,
        0,
        0,
    ]
    assert [_tile(session, manager, k) for k in ("stuck", "no_activity")] == [1, 1]


def test_plan_vs_fact_per_manager_and_team(sales, session, demo_users):
    head = demo_users["head"]
    from datetime import date

    set_plans(
        session,
        head,
        date(2026, 2, 1),
        {demo_users["manager"].id: ("2", "100000"), demo_users["manager2"].id: ("1", "100 000,00")},
        NOW,
    )
    session.commit()
    page = dashboard_page(session, head, {}, NOW)
    rows = {
        r.user.login: (r.plan_deals, r.plan_premium, r.won_deals, r.won_premium, r.percent) for r in page.plan
    }
    assert rows["manager"] == (2, Decimal("100000.00"), 1, Decimal("50000.00"), Decimal("50.0"))
    assert rows["manager2"] == (1, Decimal("100000.00"), 0, Decimal("0.00"), Decimal("0.0"))
    assert (page.team_plan.plan_premium, page.team_plan.won_premium, page.team_plan.percent) == (
        Decimal("200000.00"),
        Decimal("50000.00"),
        Decimal("25.0"),
    )
    own = dashboard_page(session, demo_users["manager"], {}, NOW)
    assert [r.user.login for r in own.plan] == ["manager"]


def test_losses_by_product_and_industry(sales, session, demo_users):
    head = demo_users["head"]
    by_product = _tile(session, head, "losses_product", date="2026-01-20")
    assert [(r.reason, r.group, r.n, r.premium) for r in by_product] == [
        ("Дорого", "ДМС", 1, Decimal("80000.00"))
    ]
    by_industry = _tile(session, head, "losses_industry", date="2026-01-20")
    assert [(r.reason, r.group, r.n) for r in by_industry] == [("Дорого", "Торговля", 1)]
    assert _tile(session, demo_users["manager"], "losses_product", date="2026-01-20") == []


def test_hot_deals_name_their_reasons(sales, session, demo_users):
    hot = _tile(session, demo_users["head"], "hot_deals")
    assert [h.deal.title for h in hot] == ["D5", "D4"]
    assert hot[0].reasons[0] == "срок закрытия прошёл (05.02.2026)"
    assert "застряла на этапе" in hot[1].reasons


def test_activity_summary_counts_by_moscow_day(sales, session, demo_users):
    from models.reports.tables import ActivityBucket

    rows = sorted((str(r.day), r.kind, r.n) for r in session.scalars(select(ActivityBucket)))
    assert rows == [("2026-02-01", "meeting", 1), ("2026-02-05", "call", 1)]


def test_rebuild_gives_the_same_summaries_as_the_hook(sales, session, demo_users):
    def snapshot():
        # buckets emptied by moves stay as zero rows; the rebuild writes none
        return {
            m.__tablename__: sorted(
                tuple(str(v) for v in row)
                for row in session.execute(select(m.__table__).where(m.__table__.c.n != 0))
            )
            for m in SUMMARY_TABLES
        }

    kept = snapshot()
    counts = rebuild_summaries(session)
    session.commit()
    assert snapshot() == kept
    assert counts["report_pipeline"] == 3


def test_a_hand_over_moves_the_pipeline_to_the_new_owner(sales, session, demo_users):
    deal = sales.deals["D5"]
    deal.owner_id = demo_users["manager2"].id
    session.commit()
    own_month, _ = _tile(session, demo_users["manager"], "forecast")
    other_month, _ = _tile(session, demo_users["manager2"], "forecast")
    assert own_month.pipeline == Decimal("0.00") and other_month.pipeline == Decimal("230000.00")


def test_moscow_period_boundaries(sales):
    from datetime import UTC, datetime

    from models.reports.periods import local_day, parse_period

    assert str(local_day(datetime(2026, 1, 31, 20, 59, tzinfo=UTC))) == "2026-01-31"
    assert str(local_day(datetime(2026, 1, 31, 21, 0, tzinfo=UTC))) == "2026-02-01"
    begin, end = parse_period("month", "2026-02-14", NOW).utc_bounds()
    assert (begin.isoformat(), end.isoformat()) == ("2026-01-31T21:00:00+00:00", "2026-02-28T21:00:00+00:00")
    quarter = parse_period("quarter", "2026-02-14", NOW)
    assert (str(quarter.start), str(quarter.end), quarter.previous().label) == (
        "2026-01-01",
        "2026-03-31",
        "4 кв. 2025",
    )
