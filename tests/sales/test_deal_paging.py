"""The deals list is keyset-paged and the board shows every stage's totals with its newest cards,
so neither grows with the number of deals (issue «Speed a user feels»)."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import url_for

from models.clients.cards import Client
from models.identity.users import issue_api_token
from models.sales.board import BOARD_CARDS
from models.sales.deals import open_deal
from models.sales.funnels import funnel_by_code
from models.sales.leads import Lead
from models.sales.queries import LEAD_PAGE, PAGE_SIZE
from tests.conftest import login
from web.formatting import rub


def _deals(world, count: int, premium: str = "1000.50") -> list[int]:
    funnel = funnel_by_code(world.session, "company")
    owner = world.users["manager"]
    company = Client(kind="company", full_name="АО «Листовой прокат»", inn="7736050003", owner=owner)
    world.session.add(company)
    ids = []
    for n in range(count):
        deal = open_deal(world.session, client=company, funnel=funnel, owner_id=owner.id,
                         now=world.clock.now(), title=f"Прокат: сделка {n:03d}", premium=Decimal(premium))
        world.session.flush()
        ids.append(deal.id)
    world.session.commit()
    return ids


def _shown(html: str) -> list[str]:
    return re.findall(r"Прокат: сделка (\d{3})", html)


def test_the_list_pages_by_keyset_without_gaps_or_repeats(world, client):
    ids = _deals(world, PAGE_SIZE + 7)
    login(client, "manager")
    first = client.get("/deals/").get_data(as_text=True)
    assert len(_shown(first)) == PAGE_SIZE
    cursor = re.search(r'id="next-page" href="[^"]*before=(\d+)', first)
    assert cursor is not None
    second = client.get(f"/deals/?before={cursor.group(1)}").get_data(as_text=True)
    assert 'id="next-page"' not in second
    seen = _shown(first) + _shown(second)
    assert sorted(seen) == [f"{n:03d}" for n in range(len(ids))]
    assert len(set(seen)) == len(ids)


def test_a_bad_cursor_is_ignored_on_the_page_and_refused_by_the_api(world, client):
    _deals(world, 3)
    login(client, "manager")
    for bad in ("²", "99999999999999999999", "-1", "abc"):
        answer = client.get(f"/deals/?before={bad}")
        assert answer.status_code == 200 and len(_shown(answer.get_data(as_text=True))) == 3
    token = issue_api_token(world.session, world.users["manager"], "tests")
    world.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for bad in ("²", str(2**31), "0"):
        refused = client.get(f"/api/v1/deals?before_id={bad}", headers=headers)
        assert refused.status_code == 422, bad
        assert refused.is_json
    newest = client.get("/api/v1/deals?limit=2", headers=headers).get_json()
    assert len(newest) == 2
    rest = client.get(f"/api/v1/deals?before_id={newest[-1]['id']}", headers=headers).get_json()
    assert len(rest) == 1 and rest[0]["id"] < newest[-1]["id"]


def test_the_board_totals_every_deal_and_shows_the_newest_cards(world, client):
    ids = _deals(world, BOARD_CARDS + 5, premium="1500000.50")
    login(client, "manager")
    board = client.get("/deals/?funnel=company").get_data(as_text=True)
    first_stage = funnel_by_code(world.session, "company").first_stage
    column = board.split(f'data-stage="{first_stage.code}"', 1)[1].split('data-stage="', 1)[0]
    assert len(_shown(column)) == BOARD_CARDS
    assert f"{len(ids)} шт." in column
    assert rub(Decimal("1500000.50") * len(ids)) in column
    assert f"ещё {len(ids) - BOARD_CARDS} — списком" in column
    assert max(_shown(column)) == f"{len(ids) - 1:03d}"  # the newest first


def test_the_leads_list_pages_by_keyset(world, client):
    manager = world.users["manager"]
    world.session.add_all([Lead(source="manual", company=f"Лид-компания {n:03d}", assigned_to_id=manager.id)
                           for n in range(LEAD_PAGE + 4)])
    world.session.commit()
    login(client, "manager")
    first = client.get("/leads/?mine=1").get_data(as_text=True)
    shown = re.findall(r"Лид-компания (\d{3})", first)
    assert len(shown) == LEAD_PAGE and max(shown) == f"{LEAD_PAGE + 3:03d}"
    cursor = re.search(r'id="next-page" href="[^"]*before=(\d+)', first)
    assert cursor is not None
    second = client.get(f"/leads/?mine=1&before={cursor.group(1)}").get_data(as_text=True)
    assert sorted(re.findall(r"Лид-компания (\d{3})", second)) == [f"{n:03d}" for n in range(4)]
    assert 'id="next-page"' not in second


def test_every_row_and_card_links_to_its_own_deal(app, world, client):
    """The list's and the board's links (one URL pattern per page, ``web.links.link_pattern``) open
    and move the very deal they show."""
    ids = _deals(world, 12)
    login(client, "manager")
    page = client.get("/deals/").get_data(as_text=True)
    listed = re.findall(r'<a href="/deals/(\d+)">Прокат: сделка (\d{3})</a>', page)
    assert len(listed) == 12 and all(int(shown) == ids[int(n)] for shown, n in listed)
    board = client.get("/deals/?funnel=company").get_data(as_text=True)
    cards = re.findall(r'data-deal-id="(\d+)" data-move-url="([^"]+)">\s*'
                       r'<a href="([^"]+)">Прокат: сделка (\d{3})', board)
    assert len(cards) == 12
    with app.test_request_context("/"):
        for deal_id, move, show, n in cards:
            assert int(deal_id) == ids[int(n)]
            assert (move, show) == (url_for("deals.board_move", deal_id=int(deal_id)),
                                    url_for("deals.show", deal_id=int(deal_id)))
