"""Acceptance 4 in Chromium, on the demo data: the senior manager opens «На продление», filters the red
zone, sees the reasons, and reaches a renewal deal — from the board and from the contract's card.

Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set (else the test's temporary folder).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import run_cli

pytestmark = pytest.mark.browser


def test_senior_filters_the_red_zone_and_reaches_a_renewal_deal(app, clock, page, shots):
    from datetime import UTC, datetime

    clock.set(datetime.now(UTC).replace(microsecond=0))  # the audit log (ЛПР changes) runs on the wall clock
    for command in ("deploy", "demo"):
        run_cli(app, command)

    page.goto("/login")
    page.locator("#login").fill("senior")
    page.locator("#password").fill("demo")
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name="Продления").click()
    expect(page.locator("h1")).to_have_text("На продление")
    rows = page.locator("#renewals tbody tr[data-contract]")
    expect(rows.first).to_be_visible()
    everything = rows.count()
    page.screenshot(path=str(shots / "renewals-board.png"), full_page=True)

    page.select_option("#zone", "red")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#zone")).to_have_value("red")
    red = page.locator("#renewals tbody tr[data-contract]")
    expect(red.first).to_be_visible()
    assert 0 < red.count() < everything
    assert set(red.evaluate_all("rows => rows.map(r => r.dataset.zone)")) == {"red"}
    page.screenshot(path=str(shots / "renewals-red.png"), full_page=True)

    red.first.locator("td").first.get_by_role("link").click()
    expect(page.locator("#risk-zone")).to_contain_text("Красная")
    expect(page.locator("#risk-signals li").first).to_be_visible()
    page.screenshot(path=str(shots / "renewal-contract.png"), full_page=True)
    page.locator("#renewal-deal-link").click()
    expect(page.locator("h1")).to_contain_text("Продление:")
    page.screenshot(path=str(shots / "renewal-deal.png"), full_page=True)

    page.go_back()
    page.go_back()
    page.locator("#renewals a.renewal-deal").first.click()
    expect(page.locator("h1")).to_contain_text("Продление:")
