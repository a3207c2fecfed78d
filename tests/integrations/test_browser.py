"""The integrations as an admin and a manager see them in Chromium: the «Интеграции» list, a telephony
page whose «Проверить соединение» asks the (fake) PBX, and a client card playing a call recording
through the CRM.

Screenshots go to ``CRM_TEST_SCREENSHOTS`` when set (else the test's temporary folder).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from integrations.telephony.mango import signed_form
from models.clients.cards import Client, Contact
from tests.browser import log_in
from tests.integrations.conftest import deliver
from tests.integrations.telephony.test_calls import KEY, SALT, _summary, mango  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_overrides(mango):  # noqa: F811
    return {"mango_url": mango.url, "mango_api_key": KEY, "mango_api_salt": SALT}


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

    log_in(page, "admin")
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
    log_in(page, owner.login)
    page.goto(f"/clients/{contact.client_id}")
    audio = page.locator("#calls audio")
    expect(audio).to_have_count(1)
    ready = page.evaluate(
        "async (el) => { const r = await fetch(el.src); return [r.status, r.headers.get('content-type')]; }",
        audio.element_handle(),
    )
    assert ready == [200, "audio/mpeg"]
    page.screenshot(path=str(shots / "client-card-calls.png"), full_page=True)
