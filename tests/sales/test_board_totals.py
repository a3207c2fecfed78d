"""The board's column totals read from the kept ``report_deal_total`` equal a direct count of the
deals each viewer may see under each filter, after the changes a deal goes through (a move, a
hand-over, a probability or premium edit, a won and a lost deal, a deal without an owner), and the
board reads them from the kept totals unless a filter needs the deals themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from models.clients.cards import Client
from models.platform.money import CENT
from models.platform.permissions import scoped
from models.sales.board import BOARD_CARDS, board_columns, board_totals
from models.sales.deals import Deal, DealStatus, deal_flags, open_deal
from models.sales.funnels import StageOutcome, funnel_by_code
from models.sales.queries import DealFilter

PREMIUMS = (Decimal("1500000.50"), Decimal("999.99"), None, Decimal("12345.67"), Decimal("0.01"))


def _book(world) -> None:
    """Deals of several owners in several stages and statuses, changed the ways deals change."""
    session, users, now = world.session, world.users, world.clock.now()
    funnel = funnel_by_code(session, "company")
    stages = funnel.stages
    won = next(s for s in stages if s.outcome == StageOutcome.WON)
    lost = next(s for s in stages if s.outcome == StageOutcome.LOST)
    plain = Client(kind="company", full_name="АО «Сверка итогов»", inn="7736050003", owner=users["manager"])
    listed = Client(kind="company", full_name="ООО «Реестровая»", inn="7707083893", owner=users["manager2"],
                    registry_flag=True)
    session.add_all([plain, listed])
    owners = [users["manager"], users["manager2"], users["senior"], users["head"], None]
    deals = []
    for n in range(40):
        owner = owners[n % len(owners)]
        deal = open_deal(session, client=listed if n % 7 == 0 else plain, funnel=funnel,
                         owner_id=owner.id if owner else None, now=now - timedelta(days=n),
                         title=f"Сверка {n:02d}", premium=PREMIUMS[n % len(PREMIUMS)])
        deals.append(deal)
    session.flush()
    for n, deal in enumerate(deals):
        if n % 3 == 1:  # moved along the funnel, its probability following the stage
            deal.stage = stages[1 + n % 3]
            deal.probability = deal.stage.probability
            deal.stage_entered_at = now - timedelta(days=40)
        if n % 4 == 2:  # a probability of its own
            deal.probability = 37
        if n % 11 == 5:  # handed over
            deal.owner_id = users["manager3"].id
        if n % 9 == 3:  # premium changed
            deal.premium = Decimal("77.77")
        if n % 10 == 8:
            deal.stage, deal.status, deal.probability, deal.closed_at = won, DealStatus.WON, 100, now
        if n % 10 == 9:
            deal.stage, deal.status, deal.probability, deal.closed_at = lost, DealStatus.LOST, 0, now
    session.flush()
    session.delete(deals[-2])
    session.commit()


def _expected(world, viewer, f: DealFilter) -> dict[int, tuple[int, Decimal, Decimal]]:
    """Per stage: count, premium and weighted premium of the deals ``viewer`` sees, in Python."""
    session, now = world.session, world.clock.now()
    funnel = funnel_by_code(session, f.funnel)
    sums: dict[int, list] = {s.id: [0, Decimal(0), Decimal(0)] for s in funnel.stages}
    for deal in session.scalars(scoped(viewer, Deal)):
        if deal.funnel_id != funnel.id or (f.status and deal.status != f.status) \
                or (f.owner_id and deal.owner_id != f.owner_id) \
                or (f.client_id and deal.client_id != f.client_id) \
                or (f.flag and f.flag not in deal_flags(deal, now)):
            continue
        row = sums[deal.stage_id]
        row[0] += 1
        row[1] += deal.premium or 0
        row[2] += (deal.premium or 0) * deal.probability
    return {k: (n, p, (w / 100).quantize(CENT)) for k, (n, p, w) in sums.items()}


def _shown(world, viewer, f: DealFilter) -> dict[int, tuple[int, Decimal, Decimal]]:
    funnel = funnel_by_code(world.session, f.funnel)
    columns = board_totals(world.session, viewer, world.clock.now(), f, funnel)
    return {c.stage.id: (c.count, c.premium, c.weighted) for c in columns}


@pytest.mark.parametrize("who", ["head", "senior", "manager", "manager2", "manager3", "backoffice", "admin"])
def test_kept_totals_equal_a_direct_count_for_every_role_and_filter(world, who):
    _book(world)
    viewer = world.users[who]
    client_id = world.session.scalar(select(Client.id).where(Client.inn == "7707083893"))
    base = DealFilter(funnel="company")
    filters = [base, replace(base, status=DealStatus.OPEN), replace(base, status=DealStatus.WON),
               replace(base, owner_id=world.users["manager"].id),
               replace(base, owner_id=world.users["head"].id),
               replace(base, owner_id=viewer.id, status=DealStatus.OPEN),
               replace(base, flag="registry"), replace(base, flag="stuck"), replace(base, flag="no_activity"),
               replace(base, client_id=client_id), replace(base, client_id=client_id, status=DealStatus.LOST)]
    for f in filters:
        assert _shown(world, viewer, f) == _expected(world, viewer, f), (who, f)
    if who in ("head", "senior", "manager"):
        assert any(n for n, _, _ in _expected(world, viewer, base).values()), "the data reaches this viewer"


def test_the_board_reads_kept_totals_unless_a_filter_needs_the_deals(world, engine):
    _book(world)
    funnel = funnel_by_code(world.session, "company")
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        for f, kept in ((DealFilter(funnel="company"), True),
                        (DealFilter(funnel="company", status=DealStatus.OPEN), True),
                        (DealFilter(funnel="company", flag="registry"), False)):
            seen.clear()
            board_columns(world.session, world.users["senior"], world.clock.now(), f, funnel)
            totals = [s for s in seen if "sum(" in s.lower()]
            assert len(totals) == 1, seen
            assert ("report_deal_total" in totals[0]) is kept, totals[0]
            assert not [s for s in seen if "row_number" in s.lower()], "no window over the funnel's deals"
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_each_column_shows_its_own_newest_cards_in_the_viewers_scope(world):
    _book(world)
    session, now = world.session, world.clock.now()
    funnel = funnel_by_code(session, "company")
    first = funnel.first_stage
    company = session.scalar(select(Client).where(Client.inn == "7736050003"))
    for n in range(BOARD_CARDS + 3):
        open_deal(session, client=company, funnel=funnel, owner_id=world.users["manager2"].id, now=now,
                  title=f"Новая {n:02d}", premium=Decimal("10"))
    session.commit()
    for who in ("head", "senior", "manager", "manager2"):
        viewer = world.users[who]
        visible = list(session.scalars(scoped(viewer, Deal).where(Deal.funnel_id == funnel.id)
                                       .order_by(Deal.id.desc())))
        for column in board_columns(session, viewer, now, DealFilter(funnel="company"), funnel):
            newest = [d.id for d in visible if d.stage_id == column.stage.id][:BOARD_CARDS]
            assert [d.id for d, _ in column.cards] == newest, (who, column.stage.code)
            assert column.count >= len(newest)
        if who == "manager2":
            cards = next(c for c in board_columns(session, viewer, now, DealFilter(funnel="company"), funnel)
                         if c.stage.id == first.id).cards
            assert len(cards) == BOARD_CARDS
