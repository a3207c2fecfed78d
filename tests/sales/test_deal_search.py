"""The deals search box goes through indexes (trigram GIN on PostgreSQL, the FTS5 trigram table on
SQLite) and finds a deal by a fragment of its title in any case, by its client's name or INN,
pages by keyset across the matches, and follows renames and deletions (issue «Speed a user feels»)."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select, text

from models.clients.cards import Client
from models.platform import fragments
from models.sales.deal_search import page_ids, search_ids
from models.sales.deals import Deal, open_deal
from models.sales.funnels import funnel_by_code
from models.sales.queries import PAGE_SIZE, DealFilter, list_deals
from tests.conftest import login


def _client(world, name: str, inn: str) -> Client:
    company = Client(kind="company", full_name=name, inn=inn, owner=world.users["manager"])
    world.session.add(company)
    world.session.flush()
    return company


def _deal(world, company: Client, title: str) -> Deal:
    deal = open_deal(world.session, client=company, funnel=funnel_by_code(world.session, "company"),
                     owner_id=world.users["manager"].id, now=world.clock.now(), title=title,
                     premium=Decimal("1000"))
    world.session.flush()
    return deal


def _titles(world, q: str, who: str = "manager", before: int | None = None) -> list[str]:
    found = list_deals(world.session, world.users[who], world.clock.now(), DealFilter(q=q, before_id=before))
    return [deal.title for deal, _flags in found]


def test_title_fragment_client_name_and_inn_are_found(world):
    romashka = _client(world, "ООО «Ромашка»", "7707083893")
    lyutik = _client(world, "АО «Лютик»", "7736050003")
    _deal(world, romashka, "Страхование склада в Подольске")
    _deal(world, lyutik, "КАСКО автопарка")
    _deal(world, lyutik, "ОСАГО грузовиков")
    world.session.commit()
    assert _titles(world, "подольск") == ["Страхование склада в Подольске"]  # Cyrillic, any case
    assert _titles(world, "СКЛАД страх") == ["Страхование склада в Подольске"]  # every word
    assert _titles(world, "ромашк") == ["Страхование склада в Подольске"]  # the client's name
    assert _titles(world, "7736050003") == ["ОСАГО грузовиков", "КАСКО автопарка"]  # INN, newest first
    assert _titles(world, "ос") == ["ОСАГО грузовиков"]  # two letters: no trigram, still found
    assert _titles(world, "нет-такого") == []
    assert _titles(world, "каско", who="manager2") == []  # someone else's deals stay hidden


def test_renamed_and_deleted_deals_follow_in_the_index(world):
    company = _client(world, "ООО «Василёк»", "7707083893")
    deal = _deal(world, company, "Имущество офиса")
    world.session.commit()
    assert _titles(world, "офиса") == ["Имущество офиса"]
    deal.title = "Имущество склада"
    world.session.commit()
    assert _titles(world, "офиса") == [] and _titles(world, "склада") == ["Имущество склада"]
    world.session.delete(deal)
    world.session.commit()
    assert _titles(world, "склада") == []


def test_search_pages_by_keyset_through_many_matches(world, client):
    company = _client(world, "ООО «Листопад»", "7707083893")
    for n in range(PAGE_SIZE + 5):
        _deal(world, company, f"Прокат: сделка {n:03d}")
    world.session.commit()
    login(client, "manager")
    first = client.get("/deals/?q=прокат").get_data(as_text=True)
    assert len(re.findall(r"Прокат: сделка (\d{3})", first)) == PAGE_SIZE
    cursor = re.search(r'id="next-page" href="[^"]*before=(\d+)', first)
    assert cursor is not None
    second = client.get(f"/deals/?q=прокат&before={cursor.group(1)}").get_data(as_text=True)
    assert sorted(re.findall(r"Прокат: сделка (\d{3})", second)) == [f"{n:03d}" for n in range(5)]
    board = client.get("/deals/?funnel=company&q=листопад").get_data(as_text=True)
    assert f"{PAGE_SIZE + 5} шт." in board  # the board's totals cover every match


def test_frequent_fragments_are_read_from_the_newest_index_windows(world, monkeypatch):
    """A fragment in ``BROAD`` titles or more is served from the newest windows of the index."""
    monkeypatch.setattr(fragments, "BROAD", 3)
    monkeypatch.setattr(fragments, "WINDOWS", (2, 4))
    company = _client(world, "ООО «Окно»", "7707083893")
    ids = [_deal(world, company, f"Перевозка груза {n}").id for n in range(8)]
    world.session.commit()
    manager = world.users["manager"]
    base = select(Deal).where(Deal.owner_id == manager.id)
    assert search_ids(world.session, base, "перевозка", 3) == ids[::-1][:3]
    assert search_ids(world.session, base, "перевозка", 3, below=ids[2]) == ids[:2][::-1]


def test_a_deal_found_by_both_halves_counts_once_on_the_page(world):
    """The page is the newest ``limit`` distinct deals of the title and client halves (one statement
    on PostgreSQL, ``page_ids``): a deal both halves find takes one place, and the keyset follows."""
    vega = _client(world, "ООО «Вега»", "7707083893")
    other = _client(world, "АО «Орион»", "7736050003")
    by_title = [_deal(world, other, f"Вега: перевозка {n}").id for n in range(2)]
    by_client = [_deal(world, vega, f"Склад {n}").id for n in range(2)]
    both = [_deal(world, vega, f"Вега: страхование {n}").id for n in range(3)]  # the newest: both halves
    world.session.commit()
    base = select(Deal).where(Deal.owner_id == world.users["manager"].id)
    newest = sorted(both + by_title + by_client, reverse=True)
    for limit, below in ((3, None), (4, None), (10, None), (3, newest[2]), (2, newest[5])):
        chosen = page_ids(world.session, base, "вега", limit, below)
        got = chosen if isinstance(chosen, list) else list(world.session.scalars(chosen))
        expected = [i for i in newest if below is None or i < below][:limit]
        assert got == expected == search_ids(world.session, base, "вега", limit, below), (limit, below)
    assert len(_titles(world, "вега")) == 7


def test_the_database_has_the_title_index(world):
    if world.session.get_bind().dialect.name == "postgresql":
        found = world.session.scalar(text("SELECT indexdef FROM pg_indexes "
                                          "WHERE indexname = 'ix_deal_title_trgm'"))
        assert found and "gin_trgm_ops" in found
    else:
        found = world.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'deal_title_fts'"))
        assert found and "trigram" in found
