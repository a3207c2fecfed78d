"""Shared by the studio's browser tests: a live server, Chromium, logging in."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
        context = browser.new_context(
            base_url=live_url, locale="ru-RU", viewport={"width": 1600, "height": 1000}
        )
        context.set_default_timeout(20000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: ``CRM_TEST_SCREENSHOTS`` to look at them, else the test's temporary folder."""
    folder = Path(os.environ.get("CRM_TEST_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, login: str) -> None:
    page.goto("/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill("demo")
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("#user-menu")).to_be_visible()  # logged in, on the role's home
    page.goto("/inbox/")  # these tests work from the inbox; the start page is the role's home


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
