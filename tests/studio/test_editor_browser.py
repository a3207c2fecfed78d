"""Acceptance 1 in Chromium: an analyst changes a due in the panel, sees and fixes a broken
operation, deploys with a comment, sees the diff; new leads get the new due, older ones keep theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.tables import ProcessDefinition
from tests.browser import log_in
from tests.studio.browser import fill_panel, open_editor, select_element

pytestmark = pytest.mark.browser


def test_analyst_changes_the_due_fixes_an_operation_deploys_and_sees_the_diff(world, page, shots, session):
    before = world.lead(
        company="ООО «Старый лид»", phone="+79161112233", territory="Москва", industry="Логистика"
    )
    [old_task] = world.open_tasks(before)
    assert old_task.due_at == old_task.created_at + timedelta(hours=4)

    log_in(page, "analyst")
    open_editor(page, "lead_handling")
    select_element(page, "contact")
    expect(page.locator("#bio-properties-panel-crm-dueIn")).to_have_value("PT4H")
    fill_panel(page, "crm-dueIn", "PT2H")
    page.screenshot(path=str(shots / "studio-editor-due.png"))

    select_element(page, "assign")
    expect(page.locator("#bio-properties-panel-crm-operation")).to_have_value("leads.assign")
    fill_panel(page, "crm-operation", "leads.assing")
    page.locator("#validate").click()
    marker = page.locator('#canvas .djs-element[data-element-id="assign"].crm-error')
    expect(marker).to_have_count(1)
    expect(page.locator('.crm-problem-badge[data-element="assign"]')).to_be_visible()
    expect(page.locator('#problems li[data-element="assign"]')).to_contain_text(
        "операция «leads.assing» не зарегистрирована"
    )
    page.screenshot(path=str(shots / "studio-editor-marker.png"))

    select_element(page, "assign")
    page.locator("#bio-properties-panel-crm-operation-pick").select_option("leads.assign")
    page.wait_for_timeout(300)
    page.locator("#validate").click()
    expect(page.locator("#studio-status")).to_contain_text("Ошибок нет")
    expect(marker).to_have_count(0)

    page.locator("#deploy-open").click()
    expect(page.locator("#deploy-diff")).to_contain_text("Связаться с клиентом")
    expect(page.locator("#migration-preview")).to_contain_text(f"№{before.instance_id}")
    page.locator("#deploy-comment").fill("Первый звонок — в течение двух часов")
    page.screenshot(path=str(shots / "studio-deploy-modal.png"))
    expect(page.locator("#deploy-confirm")).to_be_enabled()
    page.locator("#deploy-confirm").click()
    page.wait_for_url("**/studio/processes/lead_handling/diff?to=2&from=1")
    expect(page.locator('#viewer-new .djs-element[data-element-id="contact"].diff-changed')).to_have_count(1)
    expect(page.locator('#viewer-new .djs-element[data-element-id="assign"].diff-changed')).to_have_count(0)
    expect(page.locator("#diff-table")).to_contain_text("срок")
    page.screenshot(path=str(shots / "studio-diff.png"))
    assert page.js_errors == []

    session.expire_all()
    assert (
        session.scalar(select(ProcessDefinition.version).order_by(ProcessDefinition.id.desc()).limit(1)) == 2
    )
    after = world.lead(
        company="ООО «Новый лид»", phone="+79164445566", territory="Москва", industry="Логистика"
    )
    [new_task] = world.open_tasks(after)
    assert new_task.due_at == new_task.created_at + timedelta(hours=2)
    [old_task] = world.open_tasks(before)
    assert old_task.due_at == old_task.created_at + timedelta(hours=4)
