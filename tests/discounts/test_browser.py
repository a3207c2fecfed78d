"""Acceptance 1 in Chromium, on the demo data: a manager asks for 15 % on a demo deal, the table sends it
to the head (not the senior manager), the head sees loss ratio, LTV and competitor offers on the task
page and counter-offers 12 %, the manager accepts, and the deal shows the approved 12 %.

Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set (else the test's temporary folder).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models.discounts.errors import DiscountConflict, DiscountError
from models.discounts.requests import DiscountRequest
from models.discounts.service import open_request, preview_request
from models.insurance.policies import Policy
from models.sales.deals import Deal, DealStatus
from tests.browser import log_in, log_out
from tests.demo_data import load_demo, suite_settings  # noqa: F401  (the suite's settings)
from web.engine_support import engine_services

pytestmark = pytest.mark.browser


def _demo(app) -> None:
    load_demo(app)


def _demo_deal(app, session, clock) -> tuple[Deal, str]:
    """A demo deal of «manager» with a product the client holds, for which 15 % goes to the head."""
    engine = engine_services(app).engine(session)
    deals = session.scalars(select(Deal).where(Deal.status == DealStatus.OPEN).order_by(Deal.id))
    for deal in deals:
        if deal.owner is None or deal.owner.login != "manager":
            continue
        held = set(session.scalars(select(Policy.product).where(Policy.client_id == deal.client_id)))
        for product in (p for p in deal.product_lines if p in held):
            if open_request(session, deal.id, product) is not None:
                continue
            try:
                seen = preview_request(
                    session, engine, deal.owner, deal.id, {"product": product, "discount": "15"}, clock.now()
                )
            except (DiscountError, DiscountConflict):
                continue
            if seen.level == "head" and not seen.covered and seen.loss_ratio is not None:
                return deal, product
    raise AssertionError("в демо-данных нет сделки менеджера для скидки 15 % на уровне руководителя")


def test_fifteen_percent_goes_to_the_head_who_counters_twelve_and_the_deal_shows_it(
    app, session, clock, page, shots
):
    _demo(app)
    deal, product = _demo_deal(app, session, clock)
    competitor = (deal.competitor_offers or [{}])[0].get("who")

    log_in(page, "manager")
    page.goto(f"/deals/{deal.id}")
    form = page.locator("#discount-request-form")
    form.locator("#discount-product").select_option(product)
    form.locator("#discount-value").fill("15")
    expect(page.locator("#discount-quote")).to_contain_text("Нужен руководитель отдела: ")
    form.locator("#discount-justification").fill("Клиенту предложили дешевле, готов уйти")
    form.locator("input[name=competitor_who]").fill("Согласие")
    form.locator("input[name=competitor_price]").fill("900 000")
    page.screenshot(path=str(shots / "discount-request-form.png"), full_page=True)
    page.locator("#discount-request-button").click()
    expect(page.locator(".alert-success")).to_contain_text("нужен руководитель отдела: ")
    expect(page.locator(".alert-success")).to_contain_text("Ждёт решения: Виктор Андреевич Орлов")
    session.expire_all()
    request = session.scalar(
        select(DiscountRequest).where(
            DiscountRequest.deal_id == deal.id,
            DiscountRequest.product == product,
            DiscountRequest.status == "pending",
        )
    )
    assert request.level == "head"
    assert request.rule_id in ("r_above_senior", "r_large_premium", "r_special_products")
    card = page.locator(f".discount-request[data-request='{request.id}']")
    expect(card.locator(".route")).to_contain_text("ждёт: Виктор Андреевич Орлов")
    log_out(page)

    log_in(page, "senior")  # not the senior manager's decision: nothing of it in their queue
    page.goto("/discounts/")
    expect(page.locator(f"#queue-mine tr[data-request='{request.id}']")).to_have_count(0)
    log_out(page)

    log_in(page, "head")
    page.goto("/discounts/")
    row = page.locator(f"#queue-mine tr[data-request='{request.id}']")
    expect(row).to_contain_text("15 %")
    row.get_by_role("link", name="Решить").click()
    expect(page.locator("#task-title")).to_have_text("Согласовать скидку: руководитель отдела")
    expect(page.locator("#loss-history")).to_contain_text("Убыточность")
    expect(page.locator("#product-loss-ratio")).to_contain_text("%")
    expect(page.locator("#ltv")).to_contain_text("Премия действующих полисов")
    expect(page.locator("#ltv")).to_contain_text("Кросс-продажи")
    expect(page.locator("#competitors")).to_contain_text("Согласие")
    if competitor:
        expect(page.locator("#competitors")).to_contain_text(competitor)
    expect(page.locator("#margin")).to_contain_text("Комиссия брокера")
    expect(page.locator("#f-decision option")).to_have_text(
        [
            "— выберите —",
            "Согласовать",
            "Встречное предложение — меньшая скидка",
            "Отклонить",
            "Эскалировать на уровень выше",
            "Передать в андеррайтинг",
        ]
    )
    page.screenshot(path=str(shots / "discount-approver-task.png"), full_page=True)
    page.locator("#f-decision").select_option("counter")
    page.locator("#f-counter_discount").fill("12")
    page.locator("#f-comment").fill("Больше 12 % дать не можем: убыточность растёт")
    page.locator("#complete-button").click()
    expect(page.locator(".alert-success")).to_contain_text("Ответить на встречное предложение по скидке")
    log_out(page)

    log_in(page, "manager")
    page.goto(f"/deals/{deal.id}")
    answer = page.locator(f".discount-request[data-request='{request.id}'] .counter-answer")
    expect(answer).to_contain_text("Встречное предложение 12 %")
    answer.get_by_role("button", name="Принять 12 %").click()
    expect(page.locator(".alert-success")).to_contain_text("Встречное предложение принято")
    approved = page.locator(f"#approved-discounts tr[data-product='{product}']")
    expect(approved.locator(".approved-pct")).to_have_text("12 %")
    expect(approved).to_contain_text("Виктор Андреевич Орлов")
    expect(page.locator("#deal-discount")).to_have_text("12 %")
    page.screenshot(path=str(shots / "discount-deal-approved.png"), full_page=True)
    session.expire_all()
    request = session.get(DiscountRequest, request.id)
    assert (request.status, str(request.approved_pct)) == ("approved", "12.00")
