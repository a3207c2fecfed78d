"""A task links to a client, deal or document by typing its name (issue 17), never by a typed id.

The form's picker asks the global search (``/search/quick.json?kinds=…``, the Ctrl+K search) and
keeps the picked record's type and id in hidden fields; the server still checks the user may read
the record, and a refused form comes back (422) with what was chosen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models.clients.cards import Client
from models.sales.deals import open_deal
from models.sales.funnels import ensure_default_funnels, funnel_by_code
from models.tasks.adhoc import Task
from tests.browser import log_in
from tests.conftest import csrf_from, login


@pytest.fixture
def world(session, demo_users, clock):
    ensure_default_funnels(session)
    mine = Client(kind="company", full_name="ООО «Сирень и партнёры»", owner=demo_users["manager"],
                  phone="+74955005550")
    theirs = Client(kind="company", full_name="ООО «Сиреневый туман»", owner=demo_users["manager3"])
    session.add_all([mine, theirs])
    session.flush()
    deal = open_deal(session, client=mine, funnel=funnel_by_code(session, "company"),
                     owner_id=demo_users["manager"].id, now=clock.now(), title="Сирень: КАСКО автопарка")
    session.commit()
    return {"mine": mine, "theirs": theirs, "deal": deal}


def _post(client, **fields):
    token = csrf_from(client.get("/inbox/tasks/new").get_data(as_text=True))
    data = {"csrf_token": token, "title": "Позвонить", "assignee_id": "", "department": "sales",
            "priority": "2", **fields}
    return client.post("/inbox/tasks", data=data)


def test_the_picker_offers_only_readable_clients_and_deals_with_russian_details(client, world):
    login(client, "manager")
    answer = client.get("/search/quick.json", query_string={"q": "сирен", "kinds": "client,deal"})
    items = answer.get_json()["items"]
    assert {(i["type"], i["name"]) for i in items} == {
        ("client", "ООО «Сирень и партнёры»"), ("deal", "Сирень: КАСКО автопарка")}
    client_item = next(i for i in items if i["type"] == "client")
    assert client_item["id"] == world["mine"].id
    assert client_item["detail"] == "Клиент · +7 (495) 500-55-50"  # the phone as people read it
    everything = client.get("/search/quick.json", query_string={"q": "сирен"}).get_json()
    assert "items" not in everything and everything["records"]  # the Ctrl+K answer is unchanged


def test_a_task_is_linked_to_the_picked_record(client, session, world):
    login(client, "manager")
    answer = _post(client, business_type="deal", business_id=str(world["deal"].id),
                   link_label="Сирень: КАСКО автопарка")
    assert answer.status_code == 302
    task = session.scalar(select(Task))
    assert (task.business_type, task.business_id) == ("deal", world["deal"].id)


def test_a_record_the_user_may_not_read_is_refused_and_the_choice_kept(client, session, world):
    login(client, "manager")
    answer = _post(client, business_type="client", business_id=str(world["theirs"].id),
                   link_label="ООО «Сиреневый туман»", title="Мой заголовок")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Связанная запись не найдена или недоступна вам" in html
    assert 'value="Мой заголовок"' in html
    assert re.search(r'id="link-search"[^>]*value="ООО «Сиреневый туман»"', html)
    assert f'name="business_id" id="link-id" value="{world["theirs"].id}"' in html
    assert session.scalar(select(Task)) is None


def test_text_typed_without_picking_is_refused_not_dropped(client, session, world):
    login(client, "manager")
    answer = _post(client, business_type="", business_id="", link_label="Сирень")
    assert answer.status_code == 422
    assert "«Сирень»: выберите запись из подсказок" in answer.get_data(as_text=True)
    assert session.scalar(select(Task)) is None


def test_a_link_in_the_address_names_only_a_readable_record(client, world):
    login(client, "manager")
    mine = client.get(f"/inbox/tasks/new?business_type=client&business_id={world['mine'].id}")
    assert re.search(r'id="link-search"[^>]*value="ООО «Сирень и партнёры»"', mine.get_data(as_text=True))
    theirs = client.get(f"/inbox/tasks/new?business_type=client&business_id={world['theirs'].id}")
    assert "Сиреневый туман" not in theirs.get_data(as_text=True)


@pytest.mark.browser
def test_typing_a_client_name_in_the_task_form_links_the_task(live_url, page, session, world):
    log_in(page, "manager")
    page.goto("/inbox/tasks/new")
    page.get_by_label("Что сделать *").fill("Отправить КП «Сирени»")
    page.get_by_label("Связать с клиентом, сделкой или документом").press_sequentially("Сирень", delay=30)
    options = page.locator(".crm-typeahead [role=option]")
    expect(options.first).to_be_visible()
    expect(page.locator(".crm-typeahead")).not_to_contain_text("Сиреневый туман")  # another manager's
    options.filter(has_text="ООО «Сирень и партнёры»").click()
    expect(page.locator("#link-type")).to_have_value("client")
    expect(page.locator("#link-id")).to_have_value(str(world["mine"].id))
    page.get_by_role("button", name="Создать").click()
    expect(page.get_by_text("Задача «Отправить КП «Сирени»» создана")).to_be_visible()
    expect(page.locator("body")).to_contain_text("ООО «Сирень и партнёры»")
    task = session.scalar(select(Task).where(Task.title == "Отправить КП «Сирени»"))
    assert (task.business_type, task.business_id) == ("client", world["mine"].id)
    assert not page.js_errors
