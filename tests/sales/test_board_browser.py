"""Acceptance 2 in Chromium, on the demo data: a manager drags a demo deal to «Проиграна» on the funnel
board, is asked for the loss reason, gives it and sees the column totals change; dropped without a
reason, the deal stays where it was. Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from models.sales.deals import Deal, DealStatus
from tests.browser import log_in
from tests.demo_data import load_demo, suite_settings  # noqa: F401  (the suite's settings)

pytestmark = pytest.mark.browser


def _demo(app) -> None:
    load_demo(app)


def _drag(page, card, target) -> None:
    """A mouse drag in small steps, as a hand does (SortableJS runs in its pointer-event mode)."""
    card.scroll_into_view_if_needed()
    box, goal = card.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + 15, steps=3)
    # near the column top: a year of demo history fills a closed column (30 cards, its foot off-screen)
    x, y = goal["x"] + goal["width"] / 2, goal["y"] + min(goal["height"] - 8, 40)
    page.mouse.move(x, y, steps=15)
    page.wait_for_timeout(200)  # SortableJS looks under the pointer on a 50 ms loop in its pointer mode
    page.mouse.move(x, y + 2, steps=2)
    page.wait_for_timeout(200)
    page.mouse.up()


def _count(column) -> int:
    return int(column.locator('[data-total="count"]').inner_text().removesuffix(" шт."))


def test_a_deal_dragged_to_lost_asks_the_reason_and_without_it_stays(app, session, page, shots):
    _demo(app)
    log_in(page, "manager")
    page.goto("/deals/?funnel=company&mine=1")
    expect(page.locator('[data-quick="mine"]')).to_have_attribute("aria-pressed", "true")
    first = page.locator('section.board-column[data-outcome="open"]:has(.deal-card)').first
    source = page.locator(f'section.board-column[data-stage="{first.get_attribute("data-stage")}"]')
    card = source.locator(".deal-card").first
    deal_id = int(card.get_attribute("data-deal-id"))
    lost = page.locator('section.board-column[data-outcome="lost"]')
    before_source, before_lost = _count(source), _count(lost)
    lost_sum = lost.locator('[data-total="premium"]').inner_text()

    _drag(page, card, lost.locator(".board-cards"))  # no reason: the card goes back
    expect(page.locator("#loss-dialog")).to_be_visible()
    expect(page.locator("#loss-dialog")).to_contain_text("Причина проигрыша")
    page.locator("#loss-submit").click()
    expect(page.locator("#loss-error")).to_contain_text("Выберите причину проигрыша")
    page.screenshot(path=str(shots / "board-loss-dialog.png"), full_page=True)
    page.locator("#loss-dialog").get_by_role("button", name="Отмена").click()
    expect(page.locator("#loss-dialog")).to_be_hidden()
    expect(source.locator(f'.deal-card[data-deal-id="{deal_id}"]')).to_have_count(1)
    expect(source.locator(f'.deal-card[data-deal-id="{deal_id}"] .board-error')).to_contain_text(
        "Причина проигрыша не указана")
    assert (_count(source), _count(lost)) == (before_source, before_lost)
    session.expire_all()
    assert session.get(Deal, deal_id).status == DealStatus.OPEN

    card = source.locator(f'.deal-card[data-deal-id="{deal_id}"]')
    _drag(page, card, lost.locator(".board-cards"))  # with the reason: it moves, the totals follow
    expect(page.locator("#loss-dialog")).to_be_visible()
    page.locator("#loss-reason").select_option(label="Дорого")
    page.locator("#loss-comment").fill("Нашли дешевле у конкурента")
    page.locator("#loss-submit").click()
    expect(page.locator("#board-message")).to_contain_text("Сделка перенесена в «Проиграна»")
    expect(lost.locator('[data-total="count"]')).to_have_text(f"{before_lost + 1} шт.")
    expect(source.locator('[data-total="count"]')).to_have_text(f"{before_source - 1} шт.")
    assert lost.locator('[data-total="premium"]').inner_text() != lost_sum
    assert "." not in lost.locator('[data-total="premium"]').inner_text()
    expect(lost.locator(f'.deal-card[data-deal-id="{deal_id}"]')).to_have_count(1)
    page.screenshot(path=str(shots / "board-after-loss.png"), full_page=True)
    session.expire_all()
    deal = session.get(Deal, deal_id)
    assert (deal.status, deal.loss_reason.name, deal.loss_comment) == (
        DealStatus.LOST, "Дорого", "Нашли дешевле у конкурента")

    page.reload()  # what the server counts after the move is what the page showed
    expect(page.locator('section.board-column[data-outcome="lost"] [data-total="count"]')).to_have_text(
        f"{before_lost + 1} шт.")


def test_a_deal_dragged_to_won_asks_for_the_contract(app, session, page):
    _demo(app)
    log_in(page, "manager")
    page.goto("/deals/?funnel=company&mine=1")
    first = page.locator('section.board-column[data-outcome="open"]:has(.deal-card)').first
    source = page.locator(f'section.board-column[data-stage="{first.get_attribute("data-stage")}"]')
    card = source.locator(".deal-card").first
    deal_id = int(card.get_attribute("data-deal-id"))
    won = page.locator('section.board-column[data-outcome="won"]')
    before_won = _count(won)
    _drag(page, card, won.locator(".board-cards"))
    expect(page.locator("#won-dialog")).to_be_visible()
    page.get_by_label("Номер договора").fill("ДС-2027/15")
    page.get_by_label("Премия по договору, ₽").fill("1500000,5")
    page.get_by_label("Начало").fill("01.02.2027")
    page.get_by_label("Окончание").fill("31.01.2028")
    page.get_by_label("Номер договора").click()
    expect(page.get_by_label("Премия по договору, ₽")).to_have_value("1 500 000,50")
    page.locator("#won-submit").click()
    expect(page.locator("#board-message")).to_contain_text("Сделка перенесена в «Выиграна»")
    expect(won.locator('[data-total="count"]')).to_have_text(f"{before_won + 1} шт.")
    session.expire_all()
    deal = session.get(Deal, deal_id)
    assert (deal.status, deal.contract_number, deal.contract_premium, str(deal.contract_start),
            str(deal.contract_end)) == (DealStatus.WON, "ДС-2027/15", Decimal("1500000.50"), "2027-02-01",
                                        "2028-01-31")
