"""The Russian date picker in Chromium with an English browser locale: a date field shows ДД.ММ.ГГГГ and
a Russian calendar (not the OS's mm/dd/yyyy), a typed «31.12.2026» is stored as that day, and a money
field typed «1500000,5» is regrouped as «1 500 000,50» and stored as 1500000.50."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from models.clients.cards import Client
from models.sales.deals import Deal, open_deal
from models.sales.funnels import funnel_by_code
from tests.browser import log_in, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def page(chromium, live_url):
    """The browser in English: the OS locale under which the native date input shows mm/dd/yyyy."""
    page = new_page(chromium, live_url, locale="en-US")
    yield page
    page.context.close()


def test_a_date_is_typed_and_shown_the_russian_way_and_money_is_regrouped(world, page):
    client = Client(kind="company", full_name="АО «Сталь»", inn="7736050003", owner=world.users["manager"])
    world.session.add(client)
    deal = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=world.users["manager"].id, now=world.clock.now(), title="Сталь: ДМС")
    world.session.commit()
    log_in(page, "manager")
    page.goto(f"/deals/{deal.id}")
    shown = page.get_by_label("КП действует до")
    expect(shown).to_have_attribute("placeholder", "ДД.ММ.ГГГГ")
    shown.click()
    expect(page.locator(".flatpickr-calendar.open .flatpickr-weekday").first).to_contain_text("Пн")
    shown.fill("31.12.2026")
    premium = page.get_by_label("Премия, ₽", exact=True)
    premium.fill("1500000,5")
    page.get_by_label("Страховая сумма, ₽").click()
    expect(premium).to_have_value("1 500 000,50")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".alert-success")).to_contain_text("Сделка сохранена")
    world.session.expire_all()
    stored = world.session.get(Deal, deal.id)
    assert (stored.offer_expires_on, stored.premium) == (date(2026, 12, 31), Decimal("1500000.50"))
    expect(page.get_by_label("КП действует до")).to_have_value("31.12.2026")
    expect(page.get_by_label("Премия, ₽", exact=True)).to_have_value("1 500 000,50")
