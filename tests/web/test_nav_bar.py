"""The navigation bar is rendered once per role, section and badge and kept (``web.navigation.nav_bar``):
what a user sees must still follow the page they are on, their role and their open tasks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from models.identity.users import Absence
from models.tasks.adhoc import TaskInput, create_task
from tests.conftest import BROWSER, login


def _bar(client, url: str, headers: dict[str, str] | None = None) -> str:
    page = client.get(url, headers=headers or {})
    assert page.status_code == 200, url
    found = re.search(r'<ul class="navbar-nav me-auto">.*?\n      </ul>', page.get_data(as_text=True), re.S)
    assert found is not None, url
    return found.group(0)


def _active(bar: str) -> list[str]:
    return re.findall(r'class="nav-link active"\s+href="([^"]+)"', bar)


def _inbox_badge(bar: str) -> int:
    found = re.search(r'href="/inbox/"><i class="bi bi-inbox"></i> Входящие\s*'
                      r'(?:<span class="badge bg-danger">(\d+)</span>)?', bar)
    assert found is not None
    return int(found.group(1) or 0)


def test_the_active_section_follows_the_page(client, demo_users):
    login(client, "manager")
    assert _active(_bar(client, "/deals/")) == ["/deals/"]
    assert _active(_bar(client, "/clients/")) == ["/clients/"]
    assert _active(_bar(client, "/deals/")) == ["/deals/"]  # the kept bar of that section again
    assert _active(_bar(client, "/inbox/tasks/new")) == ["/inbox/"]


@pytest.mark.parametrize("headers", [BROWSER, {"Accept": "*/*"}], ids=["browser", "script"])
def test_the_badge_follows_the_open_tasks(client, session, clock, demo_users, headers):
    login(client, "manager")
    before = _inbox_badge(_bar(client, "/deals/", headers))
    for n in range(2):
        create_task(session, TaskInput(title=f"Позвонить {n}", assignee_id=demo_users["manager"].id,
                                       due_at=clock.now() + timedelta(days=1)),
                    demo_users["senior"], clock.now(), timedelta(hours=1))
        session.commit()
        assert _inbox_badge(_bar(client, "/deals/", headers)) == before + n + 1


@pytest.mark.parametrize("zone, counted", [("Asia/Vladivostok", 1), ("Europe/Moscow", 0)])
def test_a_deputy_in_another_zone_counts_by_their_own_today(client, session, clock, demo_users, zone,
                                                              counted):
    """23:00 in Moscow is already 06:00 of the next day in Vladivostok: a colleague whose absence
    starts «tomorrow» by Moscow is away today for a deputy in Vladivostok, and their tasks count."""
    clock.set(datetime(2026, 12, 2, 20, 0, tzinfo=UTC))
    deputy, away = demo_users["manager"], demo_users["manager2"]
    deputy.timezone, away.deputy_id = zone, deputy.id
    session.add(Absence(user_id=away.id, starts_on=date(2026, 12, 3), ends_on=date(2026, 12, 10)))
    session.commit()
    login(client, "manager")
    before = _inbox_badge(_bar(client, "/deals/", BROWSER))
    create_task(session, TaskInput(title="Позвонить клиенту коллеги", assignee_id=away.id,
                                   due_at=clock.now() + timedelta(days=1)),
                demo_users["senior"], clock.now(), timedelta(hours=1))
    session.commit()
    assert _inbox_badge(_bar(client, "/deals/", BROWSER)) == before + counted


def test_each_role_keeps_its_own_sections(app, demo_users):
    admin, manager = app.test_client(), app.test_client()
    login(admin, "admin")
    login(manager, "manager")
    for _round in range(2):  # the second round reads the kept bars
        assert "Пользователи и роли" in _bar(admin, "/deals/")
        assert "Пользователи и роли" not in _bar(manager, "/deals/")
