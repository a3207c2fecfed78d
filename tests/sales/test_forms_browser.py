"""Acceptance 3 in Chromium: process forms show Russian labels, the back-office task lists the problems."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.tasks.data_review import start_review

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
        context = browser.new_context(base_url=live_url, locale="ru-RU",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: ``CRM_TEST_SCREENSHOTS`` to look at them, else the test's temporary folder."""
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


def test_process_forms_show_labels_and_the_back_office_task_lists_the_problems(app, world, page, shots):
    lead = world.lead(company="ООО «Северный Склад»", phone="+79162223344", territory="Москва",
                      industry="Логистика")
    [task] = world.open_tasks(lead)
    review = start_review(app, world.session, world.users, name="ООО «Ошибка в ИНН»")
    manager = next(u for u in world.users.values() if u.id == task.assignee_id)

    _login(page, manager.login)
    page.locator("tr.inbox-row a", has_text="Связаться с клиентом").click()
    expect(page.locator("#task-title")).to_have_text("Связаться с клиентом")
    expect(page.locator("#f-outcome option")).to_have_text(
        ["— выберите —", "Квалифицирован — открыть сделку", "Не актуален"])
    expect(page.locator("#f-client_kind option")).to_have_text(
        ["— как определено —", "Юрлицо", "ИП", "Физлицо", "Госзаказчик"])
    expect(page.locator(".form-field[data-widget=money] .input-group-text")).to_have_text("₽")
    page.locator("#f-outcome").select_option("not_relevant")
    page.locator("#f-premium").fill("1 500 000,50")
    page.screenshot(path=str(shots / "lead-outcome-inbox.png"), full_page=True)
    form_text = page.locator("#task-form").inner_text()
    for code in ("qualified", "not_relevant", "company", "entrepreneur"):
        assert code not in form_text

    page.click("#user-menu-button")  # logout is in the user menu

    page.click("form[action='/logout'] button")
    _login(page, "backoffice")
    page.locator("#tab-queue").click()
    page.locator("tr.inbox-row a", has_text="Исправить реквизиты клиента").click()
    expect(page.locator("#task-title")).to_have_text("Исправить реквизиты клиента")
    instructions = page.locator("#instructions")
    expect(instructions).to_contain_text("В карточке клиента «ООО «Ошибка в ИНН»» найдены ошибки реквизитов")
    expect(instructions.locator("li")).to_have_text(["Неверная контрольная цифра ИНН"])
    expect(instructions).not_to_contain_text("{%")
    expect(page.locator("#f-resolution option")).to_have_text(
        ["— выберите —", "Реквизиты исправлены в карточке", "Реквизиты верны, подтверждено реестром",
         "Клиент ликвидирован"])
    page.screenshot(path=str(shots / "client-requisites-fix.png"), full_page=True)

    page.locator("#f-resolution").select_option("fixed")
    page.locator("#complete-button").click()
    expect(page.locator(".alert-success")).to_contain_text("Задача выполнена. Процесс завершён.")
    page.goto(f"/inbox/process/{review.id}")
    expect(page.locator("dl")).to_contain_text("Реквизиты исправлены в карточке")
