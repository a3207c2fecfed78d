"""The integrations as an admin and a manager see them in Chromium: the «Интеграции» list, a telephony
page whose «Проверить соединение» asks the (fake) PBX, and a client card playing a call recording
through the CRM.

Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set (else the test's temporary folder).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from integrations.telephony.mango import signed_form
from models.clients.cards import Client, Contact
from tests.integrations.conftest import deliver
from tests.integrations.telephony.test_calls import KEY, SALT, _summary, mango  # noqa: F401 (fixture)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_overrides(mango):  # noqa: F811
    return {"mango_url": mango.url, "mango_api_key": KEY, "mango_api_salt": SALT}


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
            base_url=live_url, locale="ru-RU", viewport={"width": 1400, "height": 1000}
        )
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


def test_admin_checks_the_pbx_and_a_manager_plays_a_recording(app, session, clock, demo_clients, page, shots):
    contact = session.scalars(select(Contact).order_by(Contact.id)).first()
    client = app.test_client()
    assert (
        client.post(
            "/hooks/mango/events/summary",
            data=signed_form(KEY, SALT, _summary(clock, contact.phone, entry="B-1")),
        ).status_code
        == 200
    )
    recording = {
        "recording_id": "REC-B1",
        "recording_state": "Completed",
        "entry_id": "B-1",
        "call_id": "C",
        "timestamp": int(clock.now().timestamp()),
        "seq": 3,
    }
    assert (
        client.post("/hooks/mango/events/recording", data=signed_form(KEY, SALT, recording)).status_code
        == 200
    )
    assert deliver(app, clock) == 1

    _login(page, "admin")
    page.goto("/integrations/admin")
    expect(page.locator("#integrations")).to_contain_text("Телефония (Mango Office ВАТС)")
    expect(page.locator("#integrations")).to_contain_text("1С:Предприятие (OData)")
    page.screenshot(path=str(shots / "integrations-list.png"), full_page=True)
    page.get_by_role("link", name="Телефония (Mango Office ВАТС)").click()
    page.locator("#check").click()
    expect(page.locator("body")).to_contain_text("АТС ответила")
    page.screenshot(path=str(shots / "integrations-telephony.png"), full_page=True)

    owner = session.get(Client, contact.client_id).owner
    page.context.clear_cookies()
    _login(page, owner.login)
    page.goto(f"/clients/{contact.client_id}")
    audio = page.locator("#calls audio")
    expect(audio).to_have_count(1)
    ready = page.evaluate(
        "async (el) => { const r = await fetch(el.src); return [r.status, r.headers.get('content-type')]; }",
        audio.element_handle(),
    )
    assert ready == [200, "audio/mpeg"]
    page.screenshot(path=str(shots / "client-card-calls.png"), full_page=True)
