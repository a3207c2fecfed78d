"""Acceptance 4: in Debian's Chromium, log in, open the inbox, complete a form task, see the next one."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.tasks.conftest import start_callback

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def _login(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#login", name)
    page.fill("#password", "demo")
    page.click("button[type=submit]")


def test_complete_a_form_task_in_the_browser_and_see_the_next_one(
    app, session, clock, demo_users, deployed, live_server
):
    start_callback(app, session, clock, assignee="manager", company="ООО «Ромашка»")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            _login(page, live_server, "manager")
            expect(page.locator("h1")).to_have_text("Мой день")  # the start page after login
            expect(page.locator('[data-section="calls"]')).to_contain_text("Перезвонить клиенту")
            page.goto(f"{live_server}/inbox/")
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

            page.click("#user-menu-button")  # logout is in the user menu
            page.click("form[action='/logout'] button")
            _login(page, live_server, "underwriter")
            page.goto(f"{live_server}/inbox/")  # the underwriter's home is «Андеррайтинг»
            page.click("#tab-queue")
            row = page.locator("tr.inbox-row", has_text="Подготовить предложение")
            expect(row).to_have_count(1)
            row.locator("a").click()
            expect(page.locator("#context-panel")).to_contain_text("Клиент ждёт КП")
        finally:
            browser.close()
