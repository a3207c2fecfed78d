"""Chromium on demo data: every seed role's home shows its own sections filled; axe-core finds no
serious or critical accessibility violations on the homes, the client and deal cards, the board
and the task form."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from models.clients.cards import Client
from models.identity.users import find_user
from models.platform.settings import PROJECT_ROOT
from models.sales.deals import Deal
from models.sales.funnels import Funnel
from tests.browser import TIMEOUT_MS, VIEWPORT
from tests.demo_data import load_demo

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
# login -> (heading, the role's own sections, which demo data must fill: every one a role has)
HOMES = {
    "manager": ("Мой день", ("tasks", "deals", "leads", "calls", "offers")),
    "senior": ("Команда сегодня", ("discounts", "documents")),
    "head": ("Команда сегодня", ("discounts", "documents")),
    "backoffice": ("Очереди бэк-офиса", ("checks", "mine", "prepare", "requests_requisites")),
    "lawyer": ("Документы на проверке", ("documents", "requests_contract_review")),
    "underwriter": ("Андеррайтинг", ("requests_tariff", "discounts")),
    "product": ("Продукты и процессы", ("requests_product_question", "feedback", "examples")),
    "analyst": ("Аналитика", ("processes", "reports", "requests_data_request")),
    "admin": ("Состояние системы", ("incidents", "outbox", "scheduler", "deploys")),
}
# The team dashboard under the senior's and the head's approvals: a year of demo history fills
# the plan/fact table, the period's outcomes, the loss reasons and the «горящие» deals.
DASHBOARD_FILLED = (
    "#funnel-table tbody tr",
    "#plan-table tbody tr",
    "#hot-deals a",
    "#losses-product tbody td:not(.text-muted)",
    "#losses-industry tbody tr",
    "#forecast-table tbody tr",
)


@pytest.fixture
def demo(app, session):
    load_demo(app)
    return session


@pytest.fixture
def page(chromium, live_url):
    """As ``tests.browser.page``, but the page's CSP lets the test inject axe-core (the app's own
    scripts stay under the policy the server sends)."""
    context = chromium.new_context(base_url=live_url, locale="ru-RU", viewport=VIEWPORT, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def log_in(page: Page, login: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill("demo")
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_be_visible()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one readable line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.impact} ${v.id}: ${v.help} — `
                 + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""")
    return [f"{page.url}: {line}" for line in found]


@pytest.mark.browser
def test_every_role_starts_on_its_own_home_and_the_main_pages_pass_axe(demo, live_url, page, tmp_path):
    problems: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    for login, (heading, filled) in HOMES.items():
        log_in(page, login)
        expect(page).to_have_url(live_url + "/")
        expect(page.locator("h1").first).to_contain_text(heading)
        expect(page.locator("#next-step")).not_to_be_empty()
        page.screenshot(path=str(tmp_path / f"home-{login}.png"), full_page=True)
        for key in filled:
            section = page.locator(f'[data-section="{key}"]')
            expect(section).to_have_attribute("data-filled", "yes")
            assert section.locator("[data-row], .home-figure").count() > 0, (login, key)
        if login in ("senior", "head"):  # the dashboard's parts come by their own requests
            expect(page.locator("[data-part][aria-busy]")).to_have_count(0)
            for selector in DASHBOARD_FILLED:
                assert page.locator(selector).count() > 0, (login, selector)
            won = page.locator("#outcomes dd").first.inner_text()
            assert won.strip() not in ("", "0"), (login, won)
        problems += serious_violations(page)

    manager = find_user(demo, "manager")
    client = demo.scalars(select(Client).where(Client.owner_id == manager.id).order_by(Client.id)).first()
    deal = demo.scalars(select(Deal).where(Deal.owner_id == manager.id).order_by(Deal.id)).first()
    funnel = demo.scalars(select(Funnel).order_by(Funnel.id)).first()
    log_in(page, "manager")
    for url, title in ((f"/clients/{client.id}", client.display_name), (f"/deals/{deal.id}", deal.title),
                       (f"/deals/?funnel={funnel.code}", None), ("/inbox/tasks/new", None)):
        page.goto(url)
        expect(page.locator("h1").first).to_be_visible()
        if title:
            assert title[:40] in page.title(), (url, page.title())
        page.screenshot(path=str(tmp_path / f"page-{url.strip('/').replace('/', '-').replace('?', '-')}.png"),
                        full_page=True)
        problems += serious_violations(page)
    print(f"screenshots in {tmp_path}")
    assert problems == [], "\n".join(problems)
    assert errors == []
