"""Chromium on a live server, for every browser test: one place for the launch, the server and logging in.

The fixtures (``live_url``, ``chromium``, ``page``, ``shots``) are made visible to every test by
``tests/conftest.py``; a module only marks itself ``pytest.mark.browser`` and asks for them.
Screenshots go to ``CRM_TEST_SCREENSHOTS`` when it is set (to look at them), else to the test's
temporary folder. ``page.js_errors`` collects uncaught page errors, so a test can assert none.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
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
VIEWPORT = {"width": 1440, "height": 1000}
TIMEOUT_MS = 20000
DEMO_PASSWORD = "demo"


@pytest.fixture
def live_url(app) -> Iterator[str]:
    """The app under test served by a real HTTP server on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, for tests that need several people's pages at once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def new_page(browser: Any, base_url: str, locale: str = "ru-RU") -> Any:
    """A page in a context of its own (its own cookies: one person), Russian locale, desktop size."""
    context = browser.new_context(base_url=base_url, locale=locale, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


@pytest.fixture
def page(chromium, live_url) -> Iterator[Any]:
    """One person's page on the live server."""
    page = new_page(chromium, live_url)
    yield page
    page.context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where screenshots go: ``CRM_TEST_SCREENSHOTS`` to look at them, else the test's temporary folder."""
    folder = Path(os.environ.get("CRM_TEST_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page: Any, login: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the form and wait for the role's home page (whatever it is for the role)."""
    page.goto("/login")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: "/login" not in url)


def log_out(page: Any) -> None:
    """Log out through the user menu (the button sits in its dropdown)."""
    page.click("#user-menu-button")
    page.click("form[action='/logout'] button")
