"""Chromium as the head: the dashboard is the start page, charts draw, «Застряли» opens the stuck deals."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.reports.conftest import NOW


@pytest.mark.browser
def test_head_sees_charts_and_clicks_through_to_stuck_deals(sales, clock, page, shots):
    clock.set(NOW)
    errors: list[str] = []
    page.goto("/login")  # the browser asks for /favicon.ico (a 404) on its first page
    page.locator("#login").fill("head")
    page.locator("#password").fill("demo")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_contain_text("Команда сегодня")  # the head's home, the dashboard under it
    expect(page.locator("h2", has_text="Дашборд отдела продаж")).to_be_visible()
    for chart in ("#chart-funnel", "#chart-forecast", "#chart-plan"):
        expect(page.locator(chart)).to_be_visible()
    # Chart.js marks the canvases it drew on; the funnel chart comes from chartjs-chart-funnel
    page.wait_for_function(
        "['chart-funnel', 'chart-forecast', 'chart-plan'].every("
        "id => Chart.getChart(document.getElementById(id)))"
    )
    assert page.evaluate("Chart.getChart(document.getElementById('chart-funnel')).config.type") == "funnel"
    expect(page.locator('[data-tile="stuck"] [data-value]')).to_have_text("2")
    page.screenshot(path=str(shots / "reports-dashboard.png"), full_page=True)
    page.get_by_text("Застряли").click()
    expect(page).to_have_url(re.compile(r"/deals/\?flag=stuck$"))
    expect(page.locator("select[name=flag]")).to_have_value("stuck")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table tbody")).to_contain_text("D4")
    expect(page.locator("table tbody")).to_contain_text("D5")
    assert errors == []
