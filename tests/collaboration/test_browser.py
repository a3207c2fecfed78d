"""Acceptance 2 in Chromium: a manager asks underwriting for a tariff calculation from the client card,
the underwriter discusses it in the request's thread and answers, the answer lands in the manager's
inbox; and (clock test) an SLA breach escalates once however often the scheduler ticks.

Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set (else the test's temporary folder).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.jobs import fire_due_timers
from engine.tables import HumanTask
from models.collaboration.requests import DepartmentRequest, RequestStatus
from models.notifications.service import Notification

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(live_url):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=live_url, locale="ru-RU", viewport={"width": 1400,
                                                                                   "height": 1000})
        context.set_default_timeout(15000)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CRM_TEST_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _login(page, login: str) -> None:
    page.goto("/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill("demo")
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("#user-menu")).to_be_visible()  # logged in, on the role's home
    page.goto("/inbox/")  # these tests work from the inbox; the start page is the role's home


def _logout(page) -> None:
    page.click("#user-menu-button")  # logout is in the user menu
    page.click("form[action='/logout'] button")


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
    _login(page, "manager")
    _ask_tariff(page, client.id, "КАСКО на 40 машин")
    page.screenshot(path=str(shots / "request-form.png"), full_page=True)
    page.locator("#send-request").click()
    expect(page.locator(".alert-success")).to_contain_text("отправлен: Андеррайтинг")
    expect(page.locator("#request-status")).to_have_text("Ждёт ответа")
    _logout(page)

    _login(page, "underwriter")
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
    _logout(page)

    _login(page, "manager")
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
