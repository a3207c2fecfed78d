"""Acceptance 2 in Chromium: a manager asks underwriting for a tariff calculation from the client card,
the underwriter discusses it in the request's thread and answers, the answer lands in the manager's
inbox; and (clock test) an SLA breach escalates once however often the scheduler ticks.

Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set (else the test's temporary folder).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.jobs import fire_due_timers
from engine.tables import HumanTask
from models.collaboration.requests import DepartmentRequest, RequestStatus
from models.notifications.service import Notification
from tests.browser import log_in, log_out

pytestmark = pytest.mark.browser


def _ask_tariff(page, client_id: int, subject: str) -> None:
    page.goto(f"/clients/{client_id}")
    page.locator("#ask-link").click()
    page.locator("#pick-kind").select_option("tariff")
    page.get_by_role("button", name="Выбрать").click()
    page.locator("#f-subject").fill(subject)
    page.locator("#f-product").select_option("КАСКО")
    page.locator("#f-insured_sum").fill("120 000 000")
    page.locator("#f-question").fill("Клиент считает, что дорого: посчитайте тариф с франшизой")


def test_manager_asks_underwriting_the_answer_lands_in_the_inbox_and_a_breach_escalates_once(
        app, world, page, shots):
    client = world.client(inn="7707083893")
    log_in(page, "manager")
    _ask_tariff(page, client.id, "КАСКО на 40 машин")
    page.screenshot(path=str(shots / "request-form.png"), full_page=True)
    page.locator("#send-request").click()
    expect(page.locator(".alert-success")).to_contain_text("отправлен: Андеррайтинг")
    expect(page.locator("#request-status")).to_have_text("Ждёт ответа")
    log_out(page)

    log_in(page, "underwriter")
    page.goto("/inbox/")  # these tests work from the inbox; the start page is the role's home
    page.locator("#tab-queue").click()  # the underwriters' queue
    page.get_by_role("link", name="Ответить: расчёт тарифа").click()
    page.locator("#claim-button").click()
    expect(page.locator("#request-card")).to_contain_text("КАСКО на 40 машин")
    page.locator("#thread-body").fill("@manager какая франшиза устроит клиента?")
    page.locator("#thread-send").click()
    expect(page.locator("#request-thread .thread-message")).to_contain_text("какая франшиза")
    page.locator("#f-answer").fill("Тариф 2,1 % при франшизе 30 000 ₽, премия 2 520 000 ₽")
    page.screenshot(path=str(shots / "request-underwriter-task.png"), full_page=True)
    page.locator("#complete-button").click()
    log_out(page)

    log_in(page, "manager")
    page.goto("/inbox/")
    page.get_by_role("link", name="Ответ отдела по запросу").click()
    expect(page.locator("#request-answer")).to_contain_text("Тариф 2,1 %")
    expect(page.locator("#request-answer")).to_contain_text("Наталья Игоревна Морозова")
    expect(page.locator("#request-thread")).to_contain_text("какая франшиза")
    page.screenshot(path=str(shots / "request-answer-in-inbox.png"), full_page=True)
    page.locator("#f-outcome").select_option("accept")
    page.locator("#complete-button").click()
    page.goto("/collaboration/requests")
    expect(page.locator("#sla-table")).to_contain_text("Андеррайтинг")
    page.screenshot(path=str(shots / "request-journal.png"), full_page=True)
    world.session.expire_all()
    answered = world.session.scalar(select(DepartmentRequest))
    assert answered.status == RequestStatus.CLOSED and answered.in_sla is True

    # the clock test: a second request nobody answers
    _ask_tariff(page, client.id, "Склады в Подмосковье")
    page.locator("#send-request").click()
    expect(page.locator(".alert-success")).to_contain_text("отправлен")
    world.session.expire_all()
    subject = DepartmentRequest.subject == "Склады в Подмосковье"
    late = world.session.scalar(select(DepartmentRequest).where(subject))
    for _ in range(4):
        world.clock.advance(timedelta(hours=6))
        fire_due_timers(app.extensions["crm.session_factory"], world.services)
    world.session.expire_all()
    [task] = world.session.scalars(select(HumanTask).where(HumanTask.instance_id == late.instance_id))
    assert task.escalated_at is not None and task.status == "open"
    escalations = [n for n in world.session.scalars(select(Notification)) if n.title.startswith("Эскалация")]
    assert len(escalations) == 1
    page.goto(f"/collaboration/requests/{late.id}")
    expect(page.locator("#request-card")).to_contain_text("SLA нарушен")
    page.screenshot(path=str(shots / "request-breached.png"), full_page=True)
