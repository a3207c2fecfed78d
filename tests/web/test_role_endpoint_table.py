"""Every route of ``app.url_map`` × every role (and anonymous): the table in ``tests/web/access``.

For each route and method the request is made with placeholder arguments (ids of records that
do not exist, so nothing is changed) as an anonymous visitor and as one user of every role
(pages with a session and the CSRF header, ``/api/`` with an API token). It holds that:

- no answer is a server error, whoever asks;
- an anonymous visitor is sent to the login (401 for the API) unless the row says public;
- a role outside the row is refused (403, or 404 where the record is looked up first);
- a role in the row is not refused with 403;
- every answer carries the Content-Security-Policy;
- a route without a row fails the test (add it to ``tests/web/access/<blueprint>.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from werkzeug.routing import Rule

from models.identity.accounts import create_api_token
from tests.conftest import csrf_from, login
from tests.web.access import all_rows

SKIPPED_METHODS = frozenset({"HEAD", "OPTIONS"})
# Endpoints whose empty request would end the role's session: requested last for each role.
SESSION_ENDING = frozenset({"auth.logout", "auth.logout_everywhere"})
PLACEHOLDER_ID = 987654


def _value(rule: Rule, name: str) -> object:
    converter = rule._converters.get(name)
    kind = type(converter).__name__
    if kind in ("IdConverter", "IntegerConverter", "NumberConverter"):
        return PLACEHOLDER_ID
    if kind == "AnyConverter":
        return sorted(converter.items)[0] if hasattr(converter, "items") else "process"
    if kind == "PathConverter":
        return "x/y.txt"
    return "x"


def _url(rule: Rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(_value(rule, m.group(1))), rule.rule)


def _routes(app) -> Iterator[tuple[str, str, str]]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in SESSION_ENDING, r.endpoint)):
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            yield rule.endpoint, method, _url(rule)


class _Caller:
    """One role's way in: a logged-in browser session and an API token."""

    def __init__(self, app, user) -> None:
        self.app = app
        self.user = user
        self.browser = app.test_client()
        self.token = None
        self.csrf = ""
        if user is not None:
            login(self.browser, user.login)
            self.csrf = csrf_from(self.browser.get("/profile/tokens").get_data(as_text=True))

    def relogin(self) -> None:
        self.browser = self.app.test_client()
        login(self.browser, self.user.login)
        self.csrf = csrf_from(self.browser.get("/profile/tokens").get_data(as_text=True))

    def request(self, method: str, url: str):
        if self.user is None:
            return self.app.test_client().open(url, method=method)
        if url.startswith("/api/"):
            return self.app.test_client().open(url, method=method, json={},
                                               headers={"Authorization": f"Bearer {self.token}"})
        return self.browser.open(url, method=method, data={}, headers={"X-CSRFToken": self.csrf})


def probe_all(app, callers: dict) -> dict[str, dict[str, int]]:
    """``"endpoint METHOD" -> {role or "anonymous": status}`` for every route (to draft rows)."""
    result: dict[str, dict[str, int]] = {}
    for endpoint, method, url in _routes(app):
        result[f"{endpoint} {method}"] = {role: caller.request(method, url).status_code
                                          for role, caller in callers.items()}
        if endpoint in SESSION_ENDING:
            for caller in callers.values():
                if caller.user is not None:
                    caller.relogin()
    return result


@pytest.fixture
def settings_overrides() -> dict:
    # Empty POSTs to /login count as failed logins from 127.0.0.1; the throttle would lock re-logins.
    return {"login_max_failures": 1_000_000}


def _is_login_redirect(answer) -> bool:
    return answer.status_code == 302 and "/login" in answer.headers.get("Location", "")


@pytest.fixture
def callers(app, session, demo_users) -> dict[str, _Caller]:
    one_per_role = {user.role: user for user in sorted(demo_users.values(), key=lambda u: u.id)}
    tokens = {role: create_api_token(session, user, "матрица") for role, user in one_per_role.items()}
    session.commit()
    made = {"anonymous": _Caller(app, None)}
    for role, user in one_per_role.items():
        made[role] = _Caller(app, user)
        made[role].token = tokens[role]
    return made


def _row(rows: dict, endpoint: str, method: str):
    """The row of ``endpoint`` for ``method`` (``"endpoint METHOD"`` when methods differ)."""
    return rows.get(f"{endpoint} {method}") or rows.get(endpoint)


def test_every_route_has_a_row(app):
    rows = all_rows()
    missing = sorted({f"{endpoint} {method}" for endpoint, method, _url in _routes(app)
                      if _row(rows, endpoint, method) is None})
    assert missing == [], f"routes without a row in tests/web/access: {missing}"


def test_every_role_gets_what_its_row_says_on_every_route(app, callers):
    rows = all_rows()
    problems = []
    for endpoint, method, url in _routes(app):
        row = _row(rows, endpoint, method)
        if row is None:
            continue  # reported by test_every_route_has_a_row
        for role, caller in callers.items():
            answer = caller.request(method, url)
            where = f"{method} {url} ({endpoint}) as {role}: {answer.status_code}"
            if answer.status_code >= 500:
                problems.append(f"{where} — server error")
            elif "Content-Security-Policy" not in answer.headers and endpoint != "static":
                problems.append(f"{where} — no Content-Security-Policy")
            elif role == "anonymous":
                no_token = answer.status_code == 400 and "CSRF" in answer.get_data(as_text=True)
                refused = _is_login_redirect(answer) or answer.status_code == 401 or no_token
                # a public form (the login itself) still wants its CSRF token: that is not a refusal
                if refused == row.public and not (row.public and no_token):
                    problems.append(f"{where} — {'refused' if refused else 'let in'} without a login")
            elif role in row.roles and answer.status_code == 403:
                problems.append(f"{where} — refused although the row allows {role}")
            elif role not in row.roles and answer.status_code not in (403, 404):
                problems.append(f"{where} — not refused although the row excludes {role}")
            if endpoint in SESSION_ENDING and caller.user is not None:
                caller.relogin()
    assert problems == []
