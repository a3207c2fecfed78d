"""Fixtures of the studio suites: the shipped processes deployed, demo people, logged-in clients."""

from __future__ import annotations

import pytest

from tests.conftest import login
from tests.sales.conftest import LeadWorld, world  # noqa: F401  (the lead world: funnels, teams, processes)


@pytest.fixture
def as_user(app):
    """A test client logged in as ``login`` (demo password)."""

    def make(login_name: str):
        client = app.test_client()
        response = login(client, login_name)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    return make


def csrf(client) -> str:
    """The CSRF token of the client's session, for JSON calls (``X-CSRFToken``)."""
    html = client.get("/inbox/").get_data(as_text=True)
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def api(client, method: str, url: str, body=None):
    headers = {"X-CSRFToken": csrf(client), "Accept": "application/json"}
    return client.open(url, method=method, json=body, headers=headers)


__all__ = ["LeadWorld", "api", "csrf"]
