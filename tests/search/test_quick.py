"""The global search box (Ctrl+K): records by any identifier as you type, then the texts; never a record
the user may not read (the endpoint), and the box itself in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.clients.cards import Client, Contact
from models.sales.deals import open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code
from models.sales.leads import Lead
from models.tasks.adhoc import Task
from models.tasks.comments import add_comment
from tests.browser import log_in
from tests.conftest import login


@pytest.fixture
def records(session, demo_users, clock):
    ensure_default_funnels(session)

    def client(owner: str, name: str, inn: str, phone: str, email: str) -> Client:
        row = Client(kind="company", full_name=name, owner=demo_users[owner], inn=inn, phone=phone,
                     email=email)
        session.add(row)
        session.flush()
        return row

    mine = client("manager", "ООО «Ромашка»", "7707083893", "+74951234567", "info@romashka.example")
    theirs = client("manager2", "ООО «Ромашковое поле»", "7728168971", "+74957654321", "hello@pole.example")
    session.add_all([Contact(client_id=mine.id, full_name="Анна Петровна Лебедева",
                             email="anna@romashka.example", phone="+79161112233"),
                     Contact(client_id=theirs.id, full_name="Анна Сергеевна Лебедева",
                             email="anna@pole.example")])
    company = funnel_by_code(session, "company")
    deal = open_deal(session, client=mine, funnel=company, owner_id=mine.owner_id, now=clock.now(),
                     title="Ромашка: КАСКО автопарка")
    other = open_deal(session, client=theirs, funnel=company, owner_id=theirs.owner_id, now=clock.now(),
                      title="Ромашковое поле: ДМС")
    session.add_all([Lead(company="ООО «Ромашка-Юг»", name="Пётр", phone="+79990001122", inn="7736207543",
                          assigned_to_id=demo_users["manager"].id, status="new"),
                     Task(title="Позвонить в Ромашку про КАСКО", assignee_id=demo_users["manager"].id,
                          creator_id=demo_users["manager"].id, status="new", is_open=True, priority=2,
                          created_at=clock.now(), updated_at=clock.now(), version=1)])
    add_comment(session, "client", mine.id, demo_users["manager"], "Ромашка просит рассрочку", clock.now())
    add_comment(session, "client", theirs.id, demo_users["manager2"], "Ромашковое поле просит скидку",
                clock.now())
    session.commit()
    return {"mine": mine, "theirs": theirs, "deal": deal, "other": other}


def _quick(client, q: str) -> dict:
    answer = client.get("/search/quick.json", query_string={"q": q})
    assert answer.status_code == 200
    return answer.get_json()


def _titles(data: dict, kind: str | None = None) -> set[str]:
    return {r["title"] for r in data["records"] if kind is None or r["kind"] == kind}


def test_identifiers_find_only_what_the_user_may_read(app, records):
    manager = app.test_client()
    login(manager, "manager")
    by_name = _quick(manager, "ромашк")
    assert _titles(by_name, "client") == {"ООО «Ромашка»"}
    assert _titles(by_name, "deal") == {"Ромашка: КАСКО автопарка"}
    assert _titles(by_name, "lead") == {"ООО «Ромашка-Юг»"}
    assert _titles(by_name, "task") == {"Позвонить в Ромашку про КАСКО"}
    assert all("поле" not in t.lower() for t in _titles(by_name))
    assert [t["text"] for t in by_name["texts"]] == ["Ромашка просит рассрочку"]
    assert by_name["records"][0]["url"] == f"/clients/{records['mine'].id}"
    assert _titles(_quick(manager, "7707083893"), "client") == {"ООО «Ромашка»"}
    assert _titles(_quick(manager, "7728168971")) == set()  # manager2's client by its INN: nothing
    assert _titles(_quick(manager, "8 (495) 123-45-67"), "client") == {"ООО «Ромашка»"}
    assert _titles(_quick(manager, "+7 495 765-43-21")) == set()
    assert _titles(_quick(manager, "anna@romashka.example"), "contact") == {"Анна Петровна Лебедева"}
    assert _titles(_quick(manager, "anna@pole.example")) == set()
    assert _titles(_quick(manager, "лебедева"), "contact") == {"Анна Петровна Лебедева"}
    assert _titles(_quick(manager, f"№ {records['deal'].id}"), "deal") == {"Ромашка: КАСКО автопарка"}
    assert _titles(_quick(manager, f"№ {records['other'].id}"), "deal") == set()
    assert _quick(manager, "р") == {"records": [], "texts": [], "more": "/search/?q=%D1%80"}
    head = app.test_client()
    login(head, "head")
    both = _quick(head, "ромашк")
    assert _titles(both, "client") == {"ООО «Ромашка»", "ООО «Ромашковое поле»"}
    assert len(_quick(head, "просит")["texts"]) == 2
    assert len(_quick(manager, "просит")["texts"]) == 1
    assert app.test_client().get("/search/quick.json?q=ромашка").status_code in (302, 401)


@pytest.mark.browser
def test_ctrl_k_suggests_records_and_texts_and_opens_the_chosen_one(live_url, page, records):
    log_in(page, "manager")
    page.wait_for_load_state()
    page.locator("body").press("Control+k")
    box = page.locator("#global-search-q")
    expect(box).to_be_focused()
    box.press_sequentially("ромашк", delay=30)
    results = page.locator("#global-search-results")
    expect(results).to_be_visible()
    expect(results.locator(".dropdown-header")).to_have_text(["Записи", "В текстах"])
    expect(results).to_contain_text("ООО «Ромашка»")
    expect(results).to_contain_text("Ромашка просит рассрочку")
    expect(results).not_to_contain_text("Ромашковое поле")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(f"{live_url}/clients/{records['mine'].id}")
