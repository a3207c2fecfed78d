"""In Chromium: the inbox's client filter suggests clients as the user types (only those the user
may see), keeps the picked one's id, and shows its name again on the filtered page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from models.clients.cards import Client
from models.tasks.adhoc import Task
from tests.browser import log_in

pytestmark = pytest.mark.browser


def test_the_client_filter_is_a_typeahead(app, session, clock, demo_users, page):
    manager = demo_users["manager"]
    mine = Client(kind="company", full_name="ООО «Сирень и партнёры»", owner=manager)
    theirs = Client(kind="company", full_name="ООО «Сиреневый туман»", owner=demo_users["manager3"])
    other = Client(kind="company", full_name="АО «Ландыш»", owner=manager)
    session.add_all([mine, theirs, other])
    session.flush()
    for target, title in ((mine, "Позвонить в «Сирень»"), (other, "Позвонить в «Ландыш»")):
        session.add(
            Task(
                title=title,
                assignee_id=manager.id,
                creator_id=manager.id,
                business_type="client",
                business_id=target.id,
            )
        )
    session.commit()
    log_in(page, "manager")
    page.goto("/inbox/")
    page.fill("#filter-client", "Сирен")
    options = page.locator(".crm-typeahead [role=option]")
    expect(options).to_have_count(1)  # the other manager's «Сиреневый туман» is not offered
    expect(options.first).to_contain_text("Сирень и партнёры")
    options.first.click()
    expect(page.locator("#filter-client-id")).to_have_value(str(mine.id))
    page.get_by_role("button", name="Фильтр").click()
    expect(page.locator("#filter-client")).to_have_value("ООО «Сирень и партнёры»")
    expect(page.get_by_text("Позвонить в «Сирень»")).to_be_visible()
    expect(page.get_by_text("Позвонить в «Ландыш»")).to_have_count(0)
    assert not page.js_errors


def test_the_new_task_form_finds_its_client_as_you_type(session, demo_users, page):
    """The new-task form lists no clients: its link box offers readable records and keeps the pick."""
    mine = Client(kind="company", full_name="ООО «Астра-сервис»", owner=demo_users["manager"])
    theirs = Client(kind="company", full_name="ООО «Астра-логистика»", owner=demo_users["manager3"])
    session.add_all([mine, theirs])
    session.commit()
    log_in(page, "manager")
    page.goto("/inbox/tasks/new")
    page.fill("#link-search", "Астра")
    options = page.locator(".crm-typeahead [role=option]")
    expect(options).to_have_count(1)  # only the clients the manager may see
    expect(options.first).to_contain_text("Астра-сервис")
    options.first.click()
    expect(page.locator("#link-id")).to_have_value(str(mine.id))
    expect(page.locator("#link-type")).to_have_value("client")
    assert not page.js_errors
