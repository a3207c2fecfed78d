"""The open-deal day buckets (stuck, no activity) and the deal totals (custom reports by owner),
checked against hand-computed rows of the fixed data set and kept in the deal change's transaction.

Open at «now» (10.02.2026 09:00 UTC; see ``conftest``): D4 (manager2, «negotiation» since
18.01 09:00, created 15.01 09:00, no activity), D5 (manager, «new» since 02.02 09:00, created
then), D6 (manager, «contract» since 03.02 09:00, a call on 05.02 10:00).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from models.reports.ages import quiet_count, stuck_count
from models.reports.custom import run_report
from models.reports.scope import parse_filter
from models.reports.tables import ALL_DAYS, DealTotal, OpenDealAge
from models.sales.activities import log_activity
from models.sales.deals import Deal
from models.sales.queries import flag_condition
from tests.reports.conftest import NOW, at

BY_OWNER = {"group_by": ["owner"], "measures": [{"fn": "count"}, {"fn": "sum", "field": "premium"}]}


def _ages(session) -> dict[tuple, int]:
    session.expire_all()
    rows = session.scalars(select(OpenDealAge))
    return {(r.clock, r.stage_id, r.day, r.owner_id): r.n for r in rows if r.n}


def _stage(sales, code: str) -> int:
    return next(s.id for s in sales.funnel.stages if s.code == code)


def test_open_age_rows_by_hand(sales, session, demo_users):
    m, m2 = demo_users["manager"].id, demo_users["manager2"].id
    neg, new, contract = _stage(sales, "negotiation"), _stage(sales, "new"), _stage(sales, "contract")
    expected = {}
    for clock, stage, day, owner in (
        ("stage", neg, date(2026, 1, 18), m2), ("stage", new, date(2026, 2, 2), m),
        ("stage", contract, date(2026, 2, 3), m), ("quiet", 0, date(2026, 1, 15), m2),
        ("quiet", 0, date(2026, 2, 2), m), ("quiet", 0, date(2026, 2, 5), m),
    ):
        expected[(clock, stage, day, owner)] = 1
        expected[(clock, stage, ALL_DAYS, owner)] = expected.get((clock, stage, ALL_DAYS, owner), 0) + 1
    assert _ages(session) == expected


def _direct(session, flag: str, now, owners=None) -> int:
    stmt = select(Deal.id).where(flag_condition(session, flag, now))
    if owners is not None:
        stmt = stmt.where(Deal.owner_id.in_(owners))
    return len(session.scalars(stmt).all())


def test_counts_equal_the_deals_list_around_every_boundary(sales, session, demo_users):
    """At «now» stuck = D4 and D5 (browser test: 2); then at moments one second either side of each
    deal's cut-off, with the cut-off's own day split between the buckets and the deal index."""
    f = parse_filter({}, NOW)
    assert stuck_count(session, None, f, NOW) == 2
    assert quiet_count(session, None, f, NOW) == 2  # D4 (15.01) and D5 (02.02): D6 had a call on 05.02
    assert quiet_count(session, [demo_users["manager"].id], f, NOW) == 1
    stuck_days = {s.id: s.stuck_after_days for s in sales.funnel.stages}
    moments = []
    for name in ("D4", "D5", "D6"):
        deal = sales.deals[name]
        moments.append(deal.stage_entered_at + timedelta(days=stuck_days[deal.stage_id] or 0))
        moments.append((deal.last_activity_at or deal.created_at) + timedelta(days=7))
    for moment in moments:
        for now in (moment - timedelta(seconds=1), moment, moment + timedelta(seconds=1),
                    moment + timedelta(hours=20)):
            for owners in (None, [demo_users["manager"].id], [demo_users["manager2"].id]):
                assert stuck_count(session, owners, f, now) == _direct(session, "stuck", now, owners), now
                assert quiet_count(session, owners, f, now) == _direct(session, "no_activity", now, owners)


def test_a_deal_change_moves_its_buckets_in_the_same_transaction(sales, session, demo_users):
    m2 = demo_users["manager2"].id
    f = parse_filter({}, NOW)
    sales.deals["D4"].stage_entered_at = at("2026-02-09")  # as a move would: no longer stuck
    log_activity(session, kind="call", subject="Звонок", happened_at=at("2026-02-09", "12:00"), now=NOW,
                 user_id=m2, deal=sales.deals["D4"])
    session.flush()  # not committed: the summaries changed with the deal, in its transaction
    ages = _ages(session)
    neg = _stage(sales, "negotiation")
    assert ("stage", neg, date(2026, 1, 18), m2) not in ages
    assert ("quiet", 0, date(2026, 1, 15), m2) not in ages
    assert ages[("stage", neg, date(2026, 2, 9), m2)] == ages[("quiet", 0, date(2026, 2, 9), m2)] == 1
    assert (stuck_count(session, None, f, NOW), quiet_count(session, None, f, NOW)) == (1, 1)
    session.rollback()
    assert (stuck_count(session, None, f, NOW), quiet_count(session, None, f, NOW)) == (2, 2)
    sales.move("D5", "won", at("2026-02-09"), contract_premium="30000", contract_number="Д-5",
               contract_start="2026-02-10", contract_end="2027-02-09")
    assert ("stage", _stage(sales, "new"), date(2026, 2, 2), demo_users["manager"].id) not in _ages(session)
    assert stuck_count(session, None, f, NOW) == 1


def test_deal_totals_by_hand_and_premium_by_manager_from_them(sales, session, demo_users):
    """manager: D1 100 000 + D2 50 000 + D5 30 000 + D6 40 000; manager2: D3 80 000 + D4 200 000."""
    m, m2 = demo_users["manager"], demo_users["manager2"]
    session.expire_all()
    totals: dict[tuple, tuple] = {}
    for r in session.scalars(select(DealTotal)):  # one row per owner, funnel, stage and status
        n, with_premium, kop = totals.get((r.owner_id, r.status), (0, 0, 0))
        totals[(r.owner_id, r.status)] = (n + r.n, with_premium + r.n_premium, kop + r.premium_kop)
    assert totals == {
        (m.id, "won"): (2, 2, 15_000_000), (m.id, "open"): (2, 2, 7_000_000),
        (m2.id, "lost"): (1, 1, 8_000_000), (m2.id, "open"): (1, 1, 20_000_000),
    }
    head = run_report(session, demo_users["head"], "deals", BY_OWNER)
    by_name = {row[0]: row[1:] for row in head.rows}
    assert by_name == {m.full_name: [4, Decimal("220000.00")], m2.full_name: [2, Decimal("280000.00")]}
    # the same report through the deals (a filter the totals cannot answer) agrees
    direct = run_report(session, demo_users["head"], "deals",
                        {**BY_OWNER, "filters": [{"field": "premium", "op": "gte", "value": "0"}]})
    assert direct.rows == head.rows and [c.label for c in direct.columns] == [c.label for c in head.columns]
    assert run_report(session, m, "deals", BY_OWNER).rows == [[m.full_name, 4, Decimal("220000.00")]]


def test_deal_totals_follow_a_change_before_the_commit(sales, session, demo_users):
    m, m2 = demo_users["manager"], demo_users["manager2"]
    d5 = sales.deals["D5"]
    d5.premium, d5.owner_id = Decimal("35000.50"), m2.id
    session.flush()
    rows = {r[0]: r[1:] for r in run_report(session, demo_users["head"], "deals", BY_OWNER).rows}
    assert rows == {m.full_name: [3, Decimal("190000.00")], m2.full_name: [3, Decimal("315000.50")]}
    by_status = run_report(session, m2, "deals", {"group_by": ["status"], "measures": [{"fn": "count"}]})
    assert by_status.rows == [["lost", 1], ["open", 2]]
    session.rollback()
    rows = {r[0]: r[1:] for r in run_report(session, demo_users["head"], "deals", BY_OWNER).rows}
    assert rows[m.full_name] == [4, Decimal("220000.00")]
