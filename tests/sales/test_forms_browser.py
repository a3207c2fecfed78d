"""Acceptance 3 in Chromium: process forms show Russian labels, the back-office task lists the problems."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import log_in, log_out
from tests.tasks.data_review import start_review

pytestmark = pytest.mark.browser


def test_process_forms_show_labels_and_the_back_office_task_lists_the_problems(app, world, page, shots):
    lead = world.lead(company="ООО «Северный Склад»", phone="+79162223344", territory="Москва",
                      industry="Логистика")
    [task] = world.open_tasks(lead)
    review = start_review(app, world.session, world.users, name="ООО «Ошибка в ИНН»")
    manager = next(u for u in world.users.values() if u.id == task.assignee_id)

    log_in(page, manager.login)
    page.goto("/inbox/")  # these tests work from the inbox; the start page is the role's home
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

    log_out(page)
    log_in(page, "backoffice")
    page.goto("/inbox/")
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
