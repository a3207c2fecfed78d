"""Shared by the studio's browser tests: the editor's canvas and properties panel.

Chromium, the live server and screenshots are the suite's own fixtures (``tests/browser.py``).
"""

from __future__ import annotations

from playwright.sync_api import expect


def open_editor(page, key: str) -> None:
    page.goto(f"/studio/processes/{key}/edit")
    expect(page.locator("#studio-editor")).to_have_attribute("data-ready", "1")


def select_element(page, element_id: str) -> None:
    canvas = page.locator("#canvas")
    box = canvas.bounding_box()
    canvas.click(position={"x": box["width"] - 200, "y": box["height"] - 120})  # empty: deselects
    page.locator(f'#canvas .djs-element.djs-shape[data-element-id="{element_id}"]').click()
    header = page.locator('.bio-properties-panel-group-header:has-text("Задача CRM")')
    expect(header).to_be_visible()
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def fill_panel(page, entry: str, value: str) -> None:
    field = page.locator(f"#bio-properties-panel-{entry}")
    field.fill(value)
    field.press("Tab")
    page.wait_for_timeout(400)  # the panel's debounce
