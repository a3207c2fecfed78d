"""Browser walk on Chromium: site form → routed manager's lead card → deal in the funnel."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from models.sales.leads import Lead


@pytest.mark.browser
def test_a_lead_walks_from_the_site_form_to_a_deal_in_the_funnel(world, page):
    page.goto("/intake/form?utm_source=google&utm_campaign=dms")
    page.get_by_placeholder("Ваше имя").fill("Светлана Орлова")
    page.get_by_placeholder("Компания").fill("ООО «Северный Склад»")
    page.get_by_placeholder("Телефон").fill("8 916 222-33-44")
    page.get_by_placeholder("E-mail").fill("orlova@sklad.ru")
    page.get_by_placeholder("Что нужно застраховать?").fill("ДМС для 120 сотрудников")
    page.locator("#consent").check()
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.locator("#lead-result")).to_contain_text("принята")
    lead_id = int(re.search(r"№(\d+)", page.locator("#lead-result").inner_text()).group(1))

    world.session.expire_all()
    lead = world.session.get(Lead, lead_id)
    assert (lead.utm_source, lead.utm_campaign, lead.phone) == ("google", "dms", "+79162223344")
    manager = lead.assigned_to
    page.goto("/login")
    page.locator("#login").fill(manager.login)
    page.locator("#password").fill("demo")
    page.get_by_role("button", name="Войти").click()
    page.goto(f"/leads/{lead_id}")
    expect(page.locator("#routing-reason")).to_contain_text("назначен по правилу")
    page.locator("#f-outcome").select_option("qualified")
    page.locator("#f-product").fill("ДМС")
    page.locator("#f-premium").fill("960000")
    page.get_by_role("button", name="Сохранить результат").click()
    expect(page.locator("#deal-stage")).to_have_text("Новый")
    expect(page.locator("body")).to_contain_text("Лид квалифицирован: сделка открыта")
    expect(page.locator("h1")).to_contain_text("ООО «Северный Склад»: страхование")

    page.goto("/deals/?funnel=company")
    column = page.locator('[data-stage="new"]')
    expect(column).to_contain_text("ООО «Северный Склад»: страхование")
    expect(column.locator(".deal-card")).to_have_count(1)
