"""The studio's other pages in Chromium: form editor with live preview, DMN editor, instance viewer,
simulation."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models.studio.tables import ProcessDraft
from tests.browser import log_in
from tests.studio.test_simulation import SCENARIO

pytestmark = pytest.mark.browser


def test_the_form_editor_previews_live_and_insists_on_russian_labels(world, page, shots, session):
    log_in(page, "analyst")
    page.goto("/studio/processes/lead_handling/forms/lead_outcome.schema.json")
    expect(page.locator("#form-preview #f-outcome option")).to_have_text(
        ["— выберите —", "Квалифицирован — открыть сделку", "Не актуален"]
    )
    schema = json.loads(page.locator("#form-schema").input_value())
    schema["properties"]["outcome"]["enum"].append("later")
    page.locator("#form-schema").fill(json.dumps(schema, ensure_ascii=False, indent=2))
    expect(page.locator("#form-problems")).to_contain_text("поле «outcome»: подписей 2, а вариантов 3")
    schema["properties"]["outcome"]["enumNames"].append("Перезвонить позже")
    page.locator("#form-schema").fill(json.dumps(schema, ensure_ascii=False, indent=2))
    expect(page.locator("#form-preview #f-outcome option")).to_have_text(
        ["— выберите —", "Квалифицирован — открыть сделку", "Не актуален", "Перезвонить позже"]
    )
    expect(page.locator("#form-problems li")).to_have_count(0)
    page.locator("#save-form").click()
    expect(page.locator("#studio-status")).to_contain_text("Форма сохранена в черновик процесса")
    page.screenshot(path=str(shots / "studio-form-editor.png"), full_page=True)
    session.expire_all()
    draft = session.scalar(select(ProcessDraft))
    assert draft.forms["lead_outcome.schema.json"]["properties"]["outcome"]["enum"][-1] == "later"
    assert page.js_errors == []


def test_the_decision_table_opens_and_saves_into_the_draft(world, page, shots, session):
    log_in(page, "analyst")
    page.goto("/studio/processes/lead_handling/decisions/lead_team")
    expect(page.locator("#studio-dmn")).to_have_attribute("data-ready", "1")
    expect(page.locator("#dmn-canvas")).to_contain_text("Москва")
    page.screenshot(path=str(shots / "studio-dmn.png"), full_page=True)
    page.locator("#save-dmn").click()
    expect(page.locator("#studio-status")).to_contain_text("Таблица сохранена")
    session.expire_all()
    assert "lead_team" in session.scalar(select(ProcessDraft)).dmn["lead_team.dmn"]
    assert page.js_errors == []


def test_the_instance_viewer_and_the_simulation_page(world, page, shots):
    lead = world.lead(company="ООО «Схема»", phone="+79160003344", territory="Москва", industry="Логистика")
    log_in(page, "analyst")
    page.goto(f"/studio/instances/{lead.instance_id}")
    viewer = page.locator("#instance-viewer")
    expect(viewer).to_have_attribute("data-ready", "1")
    expect(viewer.locator('.djs-element[data-element-id="contact"].node-active')).to_have_count(1)
    expect(viewer.locator('.djs-element[data-element-id="assign"].node-completed')).to_have_count(1)
    viewer.locator('.djs-element.djs-shape[data-element-id="assign"]').click()
    expect(page.locator("#step-detail")).to_contain_text("Шаг выполнен")
    page.screenshot(path=str(shots / "studio-instance.png"), full_page=True)

    page.goto("/studio/processes/lead_handling/simulate")
    page.locator("#scenario").fill(json.dumps({**SCENARIO, "cases": 100}, ensure_ascii=False))
    page.locator("#run-simulation").click()
    expect(page.locator("#simulation-summary")).to_contain_text("Время прохождения p90")
    sim_viewer = page.locator(".studio-viewer[data-overlay]").first
    expect(sim_viewer).to_have_attribute("data-ready", "1")
    expect(sim_viewer.locator('.studio-badge-info[data-element="contact"]')).to_contain_text("ожид.")
    page.screenshot(path=str(shots / "studio-simulation.png"), full_page=True)
    assert page.js_errors == []
