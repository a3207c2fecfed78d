"""«Мой день» counts a manager's flagged deals as the kept open total minus the unflagged recent
ones; the counts must equal a direct count of the manager's open deals by their flags, whatever
mix of flags, ages, closed deals and other owners' deals the database holds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from models.clients.cards import Client
from models.home.sales import manager_day
from models.sales.deals import Deal, DealStatus, deal_flags, open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code


def _book(session, users, now) -> None:
    ensure_default_funnels(session)
    funnel = funnel_by_code(session, "company")
    slow = next(s for s in funnel.stages if s.stuck_after_days is not None)
    plain = Client(kind="company", full_name="АО «Счёт флагов»", inn="7736050003", owner=users["manager"])
    listed = Client(kind="company", full_name="ООО «В реестре»", inn="7707083893", owner=users["manager"],
                    registry_flag=True)
    session.add_all([plain, listed])
    n = 0

    def deal(owner: str, age_days: float, **fields) -> Deal:
        nonlocal n
        n += 1
        made = open_deal(session, client=fields.pop("client", plain), funnel=funnel, owner_id=users[owner].id,
                         now=now - timedelta(days=age_days), title=f"Флаги {n:03d}", premium=Decimal("100"))
        for name, value in fields.items():
            setattr(made, name, value)
        return made

    today = now.date()
    for owner in ("manager", "manager2"):
        for _ in range(12):
            deal(owner, 30)  # no activity for a month
        for _ in range(5):
            deal(owner, 1)  # fresh: no flag
        for _ in range(4):
            deal(owner, 40, last_activity_at=now - timedelta(hours=5))  # old but worked today: no flag
        for _ in range(9):
            deal(owner, 2, offer_expires_on=today + timedelta(days=1))
        deal(owner, 2, offer_expires_on=today + timedelta(days=6))  # expires later: no flag
        deal(owner, 2, offer_expires_on=today - timedelta(days=1))  # already expired: no flag
        for _ in range(2):
            deal(owner, 1, client=listed)
        for _ in range(3):
            deal(owner, 1, stage=slow, stage_id=slow.id,
                 stage_entered_at=now - timedelta(days=slow.stuck_after_days + 1))
        for _ in range(3):
            deal(owner, 60, status=DealStatus.LOST, closed_at=now)  # closed: never counted
    session.commit()


def _direct(session, user, now, flags: tuple[str, ...]) -> int:
    deals = session.scalars(select(Deal).where(Deal.owner_id == user.id, Deal.status == DealStatus.OPEN))
    return sum(1 for d in deals if set(deal_flags(d, now)) & set(flags))


def test_flagged_and_expiring_counts_equal_a_direct_count(session, demo_users, clock):
    now = clock.now()
    _book(session, demo_users, now)
    for who in ("manager", "manager2"):
        user = demo_users[who]
        sections = {s.key: s for s in manager_day(session, user, now).sections}
        flagged = _direct(session, user, now, ("stuck", "no_activity", "offer_expiring", "registry"))
        assert flagged > len(sections["deals"].rows), "more flagged deals than a section shows"
        assert sections["deals"].count == flagged, who
        assert sections["offers"].count == _direct(session, user, now, ("offer_expiring",)) == 9, who
        assert all(d.owner_id == user.id for d in session.scalars(
            select(Deal).where(Deal.id.in_([r.object_id for r in sections["deals"].rows]))))


def test_a_count_moves_with_the_deals_in_the_same_transaction(session, demo_users, clock):
    """The kept open total follows a deal closed, handed over or worked on before the commit."""
    now = clock.now()
    _book(session, demo_users, now)
    user = demo_users["manager"]
    mine = list(session.scalars(select(Deal).where(Deal.owner_id == user.id, Deal.status == DealStatus.OPEN)
                                .order_by(Deal.id)))
    mine[0].status, mine[0].closed_at = DealStatus.WON, now
    mine[1].owner_id = demo_users["manager2"].id
    mine[2].last_activity_at = now  # worked on: no longer «no activity»
    session.flush()
    sections = {s.key: s for s in manager_day(session, user, now).sections}
    assert sections["deals"].count == _direct(session, user, now,
                                              ("stuck", "no_activity", "offer_expiring", "registry"))


def test_the_leads_to_contact_are_counted_past_any_page_and_show_the_newest(session, demo_users, clock):
    """A manager with a pile of assigned leads: the section shows the newest few and counts them all
    (it once counted the 200 leads it loaded); other managers' and already worked leads do not count."""
    from models.home.sections import SECTION_ROWS
    from models.sales.leads import Lead, LeadStatus

    now = clock.now()
    manager, other = demo_users["manager"], demo_users["manager2"]
    for n in range(230):
        session.add(Lead(name=f"Лид {n:03d}", company=f"ООО «Куча {n:03d}»", source="site", created_at=now,
                         status=LeadStatus.ASSIGNED, assigned_to_id=manager.id))
    session.add(Lead(name="Чужой", company="ООО «Чужой»", source="site", created_at=now,
                     status=LeadStatus.ASSIGNED, assigned_to_id=other.id))
    session.add(Lead(name="Уже в работе", company="ООО «Квалифицирован»", source="site", created_at=now,
                     status=LeadStatus.QUALIFIED, assigned_to_id=manager.id))
    session.commit()
    leads = {s.key: s for s in manager_day(session, manager, now).sections}["leads"]
    assert leads.count == 230
    newest = range(229, 229 - SECTION_ROWS, -1)
    assert [r.title for r in leads.rows] == [f"ООО «Куча {n:03d}»" for n in newest]
    theirs = {s.key: s for s in manager_day(session, other, now).sections}["leads"]
    assert theirs.count == 1 and [r.title for r in theirs.rows] == ["ООО «Чужой»"]
