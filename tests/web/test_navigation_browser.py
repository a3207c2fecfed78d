"""The main bar in Chromium at 1440 px: one row even for the administrator, who sees every section,
and the set-up sections behind «Настройка»."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = pytest.mark.browser


def test_the_administrators_bar_fits_one_row_and_the_setup_menu_opens(page, demo_users):
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "admin")
    page.wait_for_load_state("networkidle")  # the widths that count are those after the fonts load
    tops = page.evaluate("() => [...document.querySelectorAll('#mainnav .nav-item')]"
                         ".map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(tops) >= 10 and len(set(tops)) == 1, tops
    bar = page.evaluate("() => document.querySelector('nav.navbar').getBoundingClientRect().height")
    assert bar < 70, bar
    page.get_by_role("button", name="Настройка").or_(page.get_by_role("link", name="Настройка")).click()
    page.get_by_role("link", name="Пользователи и роли").click()
    page.wait_for_url("**/admin/**")
    assert page.js_errors == []


def test_a_manager_sees_no_setup_menu(page, demo_users):
    log_in(page, "manager")
    expect(page.locator("#mainnav")).not_to_contain_text("Настройка")
    expect(page.locator("#user-menu-button")).to_contain_text("И. С. Петров")
