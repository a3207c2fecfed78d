"""Acceptance 4: in Debian's Chromium, log in, open the inbox, complete a form task, see the next one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, log_out
from tests.tasks.conftest import start_callback

pytestmark = pytest.mark.browser


def test_complete_a_form_task_in_the_browser_and_see_the_next_one(
    app, session, clock, demo_users, deployed, page
):
    start_callback(app, session, clock, assignee="manager", company="ООО «Ромашка»")
    log_in(page, "manager")
    expect(page.locator("h1")).to_have_text("Мой день")  # the start page after login
    expect(page.locator('[data-section="calls"]')).to_contain_text("Перезвонить клиенту")
    page.goto("/inbox/")
    expect(page.locator("#mainnav .nav-link.active .badge")).to_have_text("1")
    page.locator("tr.inbox-row a", has_text="Перезвонить клиенту").click()
    expect(page.locator("#instructions h2")).to_have_text("Позвоните в ООО «Ромашка»")

    page.fill("#f-notes", "Клиент ждёт КП")
    page.click("#complete-button")  # outcome and date missing
    expect(page.locator(".form-field[data-widget=select] .invalid-feedback")).to_have_text(
        "Обязательное поле"
    )
    expect(page.locator("#f-notes")).to_have_value("Клиент ждёт КП")

    page.select_option("#f-outcome", "reached")
    page.fill("#f-call_date", "2026-01-12")
    page.fill("#f-premium", "250 000")
    page.select_option("#f-products", ["dms", "property"])
    page.check("#f-needs_offer")
    page.click("#complete-button")
    expect(page.locator(".alert-success")).to_contain_text(
        "Следующий шаг: «Подготовить предложение» — в очередь роли «Андеррайтер»"
    )

    log_out(page)
    log_in(page, "underwriter")
    page.goto("/inbox/")  # the underwriter's home is «Андеррайтинг»
    page.click("#tab-queue")
    row = page.locator("tr.inbox-row", has_text="Подготовить предложение")
    expect(row).to_have_count(1)
    row.locator("a").click()
    expect(page.locator("#context-panel")).to_contain_text("Клиент ждёт КП")
