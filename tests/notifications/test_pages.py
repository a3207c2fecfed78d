"""The notifications page: every kind in Russian with its channels, links to what a notice is about."""

from __future__ import annotations

import re

from models.notifications.service import KINDS, email_preferences, notify
from tests.conftest import csrf_from, login


def _checked(page: str) -> set[str]:
    return set(re.findall(r'name="email" value="(\w+)"\s+id="[^"]+" aria-labelledby="[^"]+" checked', page))


def test_the_page_lists_every_kind_in_russian_and_saves_the_choice_per_channel(client, session, demo_users):
    login(client, "manager")
    page = client.get("/inbox/notifications").get_data(as_text=True)
    for spec in KINDS.values():
        assert spec.label in page
    assert "Мне назначен новый лид" in page and "E-mail" in page
    assert _checked(page) == {k for k, spec in KINDS.items() if "email" in spec.by_default}

    saved = client.post("/inbox/notifications/preferences",
                        data={"csrf_token": csrf_from(page), "email": ["lead_escalated", "handover"]})
    assert saved.status_code == 302
    prefs = email_preferences(session, demo_users["manager"].id)
    assert {k for k, wanted in prefs.items() if wanted} == {"lead_escalated", "handover"}
    again = client.get("/inbox/notifications").get_data(as_text=True)
    assert _checked(again) == {"lead_escalated", "handover"}


def test_a_notice_about_a_lead_or_a_deal_links_to_it(client, session, clock, demo_users):
    manager = demo_users["manager"].id
    notify(session, manager, "lead_assigned", "Новый лид: ООО «Лид»", "Свяжитесь", clock.now(),
           object_type="lead", object_id=3)
    notify(session, manager, "deal_opened", "Новая сделка: КАСКО", "Открыта", clock.now(),
           object_type="deal", object_id=4)
    session.commit()
    login(client, "manager")
    page = client.get("/inbox/notifications").get_data(as_text=True)
    assert 'href="/leads/3">Открыть лид<' in page and 'href="/deals/4">Открыть сделку<' in page
    assert page.count(" · ✉") == 2  # both kinds come by e-mail by default
