"""Deal rules: stage moves with history, Проиграна/Выиграна requirements, flags by the clock."""

from datetime import timedelta

import pytest

from models.clients.cards import Client
from models.sales.activities import log_activity
from models.sales.deals import DealError, deal_flags, move_stage, open_deal, time_in_stages
from models.sales.funnels import LossReason, ensure_default_funnels, funnel_by_code


@pytest.fixture
def deal(session, demo_users, clock):
    ensure_default_funnels(session)
    client = Client(kind="company", full_name="ООО «Ромашка»", owner=demo_users["manager"])
    session.add(client)
    made = open_deal(session, client=client, funnel=funnel_by_code(session, "company"),
                     owner_id=demo_users["manager"].id, now=clock.now())
    session.commit()
    return made


def test_lost_without_reason_is_refused_with_a_clear_message(session, deal, clock):
    with pytest.raises(DealError) as refused:
        move_stage(session, deal, "lost", user_id=None, now=clock.now())
    assert refused.value.errors == {"loss_reason_id": [
        "Сделку нельзя перевести в «Проиграна» без причины проигрыша: выберите причину из списка"]}
    reason = session.query(LossReason).filter_by(name="Дорого").one()
    move_stage(session, deal, "lost", user_id=None, now=clock.now(), data={"loss_reason_id": reason.id})
    assert (deal.status, deal.loss_reason.name) == ("lost", "Дорого")


def test_won_needs_contract_data(session, deal, clock):
    with pytest.raises(DealError) as refused:
        move_stage(session, deal, "won", user_id=None, now=clock.now(), data={"contract_number": "Д-1"})
    assert set(refused.value.errors) == {"contract_start", "contract_end", "contract_premium"}
    move_stage(session, deal, "won", user_id=None, now=clock.now(), data={
        "contract_number": "Д-1", "contract_start": "2026-02-01", "contract_end": "2027-01-31",
        "contract_premium": "250000"})
    assert deal.status == "won" and str(deal.contract_premium) == "250000.00"


def test_stage_history_keeps_time_in_each_stage(session, deal, clock):
    clock.advance(timedelta(days=2))
    move_stage(session, deal, "qualification", user_id=None, now=clock.now())
    clock.advance(timedelta(hours=5))
    stays = [(stage.code, seconds) for stage, seconds in time_in_stages(deal, clock.now())]
    assert stays == [("new", 2 * 86400), ("qualification", 5 * 3600)]
    assert deal.probability == 15


def test_stuck_and_no_activity_flags_appear_when_thresholds_pass(session, deal, clock):
    assert deal_flags(deal, clock.now()) == []
    clock.advance(timedelta(days=3, minutes=1))  # «Новый» is stuck after 3 days
    assert deal_flags(deal, clock.now()) == ["stuck"]
    log_activity(session, kind="call", subject="Созвон", happened_at=None, now=clock.now(), user_id=None,
                 deal=deal)
    clock.advance(timedelta(days=7))
    assert deal_flags(deal, clock.now()) == ["stuck"]
    clock.advance(timedelta(minutes=1))
    assert deal_flags(deal, clock.now()) == ["stuck", "no_activity"]


def test_offer_expiry_and_registry_flags(session, deal, clock):
    deal.offer_expires_on = clock.now().date() + timedelta(days=2)
    deal.client.registry_flag = True
    assert deal_flags(deal, clock.now()) == ["offer_expiring", "registry"]
    deal.offer_expires_on = clock.now().date() + timedelta(days=3)
    assert "offer_expiring" not in deal_flags(deal, clock.now())


def test_flag_filters_in_sql_agree_with_the_flags_shown(session, deal, demo_users, clock):
    from models.sales.queries import DealFilter, list_deals

    funnel = deal.funnel
    fresh = open_deal(session, client=deal.client, funnel=funnel, owner_id=deal.owner_id, now=clock.now())
    clock.advance(timedelta(days=4))
    moved = open_deal(session, client=deal.client, funnel=funnel, owner_id=deal.owner_id, now=clock.now())
    move_stage(session, moved, "underwriting", user_id=None, now=clock.now())
    moved.offer_expires_on = clock.now().date() + timedelta(days=5)
    clock.advance(timedelta(days=4))
    log_activity(session, kind="note", subject="Заметка", happened_at=None, now=clock.now(), user_id=None,
                 deal=fresh)
    session.commit()
    admin = demo_users["admin"]
    everything = list_deals(session, admin, clock.now(), DealFilter())
    for flag in ("stuck", "no_activity", "offer_expiring", "registry"):
        expected = {d.id for d, flags in everything if flag in flags}
        found = {d.id for d, _ in list_deals(session, admin, clock.now(), DealFilter(flag=flag))}
        assert found == expected, flag
    assert {d.id for d, _ in list_deals(session, admin, clock.now(), DealFilter(flag="stuck"))} == {
        deal.id, fresh.id}
    assert {d.id for d, _ in list_deals(session, admin, clock.now(), DealFilter(flag="offer_expiring"))} == {
        moved.id}


def test_list_rows_show_what_the_deals_show(session, deal, demo_users, clock):
    """The deals list reads plain rows (``models.sales.deal_rows``): the same deals, fields and flags
    as the entities, for every filter, page and viewer."""
    from models.sales.queries import DealFilter, list_deals, list_rows

    owner = demo_users["manager"]
    others = [open_deal(session, client=deal.client, funnel=deal.funnel, owner_id=owner.id, now=clock.now())
              for _ in range(3)]
    move_stage(session, others[0], "underwriting", user_id=None, now=clock.now())
    others[1].offer_expires_on = clock.now().date() + timedelta(days=2)
    others[2].owner_id = None
    deal.client.registry_flag = True
    session.commit()
    clock.advance(timedelta(days=8))

    def shown(d):
        return (d.id, d.title, d.client_id, d.client.display_name, d.client.registry_flag, d.funnel.name,
                d.stage.name, d.stage_id, d.owner.full_name if d.owner else None, d.premium, d.probability,
                d.offer_expires_on)

    filters = [DealFilter(), DealFilter(flag="stuck"), DealFilter(flag="offer_expiring"),
               DealFilter(flag="registry"), DealFilter(stage="underwriting"),
               DealFilter(q=deal.client.full_name.split()[-1]), DealFilter(before_id=others[2].id)]
    for viewer in (demo_users["admin"], owner, demo_users["manager2"]):
        for flt in filters:
            for limit in (2, 50):
                rows = list_rows(session, viewer, clock.now(), flt, limit)
                deals = list_deals(session, viewer, clock.now(), flt, limit)
                expected = [(shown(d), f) for d, f in deals]
                assert [(shown(d), f) for d, f in rows] == expected, (viewer.login, flt)
    everything = list_rows(session, demo_users["admin"], clock.now(), DealFilter(), 50)
    assert len(everything) == 4 and any(d.owner is None for d, _ in everything)
    assert {"stuck", "no_activity", "registry"} <= {f for _, flags in everything for f in flags}


def test_api_records_dump_as_the_deals_do(app, session, deal, demo_users, clock):
    """``GET /api/v1/deals`` reads plain records (``models.sales.deal_api_rows``): the API's schema
    dumps them exactly as it dumps the entities — every field, the loss reason, the flags and the
    stays — for every filter, page size and viewer."""
    from decimal import Decimal

    from models.sales.queries import DealFilter, list_api_deals, list_deals
    from web.api.deals import DealSchema

    owner = demo_users["manager"]
    others = [open_deal(session, client=deal.client, funnel=deal.funnel, owner_id=owner.id, now=clock.now())
              for _ in range(3)]
    clock.advance(timedelta(days=2))
    move_stage(session, others[0], "underwriting", user_id=None, now=clock.now())
    clock.advance(timedelta(hours=5))
    reason = session.query(LossReason).filter_by(name="Дорого").one()
    move_stage(session, others[1], "lost", user_id=None, now=clock.now(), data={"loss_reason_id": reason.id})
    others[2].owner_id = None
    deal.amount, deal.premium = Decimal("1500000.50"), Decimal("12345.67")
    deal.requested_discount = Decimal("7.5")
    deal.product_lines, deal.competitor_offers = ["ДМС", "ОСАГО"], [{"who": "Ингосстрах", "price": 10000}]
    deal.offer_expires_on = clock.now().date() + timedelta(days=10)  # two days left after the eight below
    deal.contract_number, deal.contract_start = "Д-1/2026", clock.now().date()
    deal.client.registry_flag = True
    session.commit()
    clock.advance(timedelta(days=8))
    schema = DealSchema(many=True)
    filters = [DealFilter(), DealFilter(flag="stuck"), DealFilter(flag="offer_expiring"),
               DealFilter(flag="registry"), DealFilter(stage="underwriting"), DealFilter(status="lost"),
               DealFilter(q=deal.client.full_name.split()[-1]), DealFilter(before_id=others[2].id)]
    with app.app_context():
        for viewer in (demo_users["admin"], owner, demo_users["manager2"]):
            for flt in filters:
                for limit in (2, 50):
                    records = list_api_deals(session, viewer, clock.now(), flt, limit)
                    deals = [d for d, _ in list_deals(session, viewer, clock.now(), flt, limit)]
                    assert schema.dump(records) == schema.dump(deals), (viewer.login, flt, limit)
        shown = schema.dump(list_api_deals(session, demo_users["admin"], clock.now(), DealFilter(), 50))
    assert len(shown) == 4
    lost = next(d for d in shown if d["id"] == others[1].id)
    assert lost["loss_reason"] == "Дорого" and [s["stage"] for s in lost["stages"]] == ["new", "lost"]
    first = next(d for d in shown if d["id"] == deal.id)
    assert first["amount"] == "1500000.50" and first["contract_number"] == "Д-1/2026"
    assert first["competitor_offers"] == [{"who": "Ингосстрах", "price": 10000}]
    assert {"registry", "offer_expiring"} <= set(first["flags"])
