"""Who sees and changes which leads and deals (rules in models/platform/permissions.py)."""

from models.clients.cards import Client
from models.platform.permissions import can_access, scoped
from models.sales.deals import Deal, open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code
from models.sales.leads import Lead


def test_managers_see_their_own_seniors_their_department_underwriters_read_deals(session, demo_users, clock):
    ensure_default_funnels(session)
    mine = Lead(name="Свой", email="a@b.ru", assigned_to=demo_users["manager"], created_at=clock.now())
    client = Client(kind="company", full_name="ООО «Чужой»", owner=demo_users["manager2"])
    session.add_all([mine, client])
    deal = open_deal(session, client=client, funnel=funnel_by_code(session, "company"),
                     owner_id=demo_users["manager2"].id, now=clock.now())
    session.commit()
    manager, senior, underwriter = demo_users["manager"], demo_users["senior"], demo_users["underwriter"]
    assert can_access(manager, mine, "edit") and not can_access(manager, deal, "view")
    assert session.scalars(scoped(manager, Deal)).all() == []
    assert can_access(senior, deal, "edit") and can_access(senior, mine, "edit")
    assert session.scalars(scoped(senior, Lead)).all() == [mine]
    assert can_access(underwriter, deal, "view") and not can_access(underwriter, deal, "edit")
    assert not can_access(underwriter, mine, "view")
    assert session.scalars(scoped(underwriter, Lead)).all() == []
    assert can_access(demo_users["backoffice"], deal, "edit")
