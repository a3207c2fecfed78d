"""Login, logout, CSRF, throttling and API tokens, through the real HTTP layer."""

from datetime import timedelta

import pytest

from models.identity.demo import DEMO_USERS
from models.identity.users import ApiToken, LoginThrottle, issue_api_token
from tests.conftest import csrf_from, login


def test_pages_redirect_anonymous_users_to_login(client, demo_users):
    for path in ("/", "/admin/users", "/profile/tokens"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_api_answers_401_json_without_credentials(client, demo_users):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.is_json
    assert response.json["error"]["code"] == "unauthorized"
    assert "Требуется" in response.json["error"]["message"]


def test_every_demo_user_can_log_in(app, demo_users):
    for spec in DEMO_USERS:
        client = app.test_client()
        response = login(client, spec.login)
        assert response.status_code == 302, spec.login
        home = client.get("/", follow_redirects=True)
        assert home.status_code == 200
        assert spec.full_name in home.get_data(as_text=True)


def test_wrong_password_is_refused_with_russian_message(client, demo_users):
    response = login(client, "manager", "wrong")
    assert response.status_code == 401
    assert "Неверный логин или пароль" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_post_without_csrf_token_is_refused(client, demo_users):
    response = client.post("/login", data={"login": "manager", "password": "demo"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    # Logged-in users are protected too.
    login(client, "admin")
    response = client.post("/admin/users", data={"login": "x1", "role": "manager"})
    assert response.status_code == 400


def test_five_failures_slow_down_further_attempts(client, demo_users, clock):
    for _ in range(5):
        assert login(client, "manager", "wrong").status_code == 401
    blocked = login(client, "manager", "demo")  # even the right password waits
    assert blocked.status_code == 429
    assert "Слишком много неудачных попыток" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    clock.advance(timedelta(seconds=31))
    assert login(client, "manager", "demo").status_code == 302


def test_lock_doubles_with_each_further_failure(client, demo_users, clock):
    for _ in range(5):
        login(client, "manager2", "wrong")
    clock.advance(timedelta(seconds=31))
    assert login(client, "manager2", "wrong").status_code == 401  # 6th failure: 60 s pause
    clock.advance(timedelta(seconds=40))
    assert login(client, "manager2", "demo").status_code == 429
    clock.advance(timedelta(seconds=25))
    assert login(client, "manager2", "demo").status_code == 302


def test_logout_requires_post_with_csrf(client, demo_users):
    login(client, "manager")
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    response = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_login_does_not_redirect_off_site(client, demo_users):
    page = client.get("/login?next=https://evil.example/")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post("/login", data={"login": "manager", "password": "demo",
                                           "csrf_token": token, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_api_token_authenticates_and_is_stored_hashed(client, session, demo_users):
    token = issue_api_token(session, demo_users["analyst"], "script")
    session.commit()
    stored = session.scalars(session.query(ApiToken).statement).one()
    assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["login"] == "analyst"
    bad = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    assert bad.status_code == 401


def test_token_created_in_ui_works_until_revoked(client, demo_users):
    login(client, "manager")
    page = client.get("/profile/tokens").get_data(as_text=True)
    created = client.post("/profile/tokens", data={"name": "bot", "csrf_token": csrf_from(page)})
    html = created.get_data(as_text=True)
    token = html.split('id="new-token">')[1].split("<")[0]
    api = client.application.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    token_id = html.split('action="/profile/tokens/')[1].split("/revoke")[0]
    client.post(f"/profile/tokens/{token_id}/revoke", data={"csrf_token": csrf_from(html)})
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("path", ["/healthz"])
def test_healthz_is_public_and_says_only_ok(client, path, database_url, demo_users):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json == {"status": "ok"}  # no database kind or revision for the public (issue 14)
    assert client.get("/healthz/details").status_code == 302  # details need a login
    login(client, "manager")
    assert client.get("/healthz/details").status_code == 403
    admin = client.application.test_client()
    login(admin, "admin")
    body = admin.get("/healthz/details").json
    assert body["status"] == "ok"
    assert body["database"] == database_url.split(":")[0].split("+")[0]
    assert body["migration"]


def test_error_pages_are_russian(client, demo_users):
    login(client, "manager")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "Страница не найдена" in missing.get_data(as_text=True)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403
    assert "Недостаточно прав" in forbidden.get_data(as_text=True)
    api_missing = client.get("/api/v1/nothing")
    assert api_missing.status_code == 404 and api_missing.is_json


def test_session_cookie_is_http_only_and_same_site(client, demo_users):
    response = login(client, "manager")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("crm_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_token_use_is_recorded_even_when_the_call_is_refused(client, session, clock, demo_users):
    token = issue_api_token(session, demo_users["manager"], "script")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    # A manager may not start processes: 403, and the request's own work is rolled back.
    refused = client.post("/api/v1/processes/anything/instances", json={}, headers=headers)
    assert refused.status_code == 403
    session.expire_all()
    stored = session.scalars(session.query(ApiToken).statement).one()
    assert stored.last_used_at == clock.now()


def test_tokens_need_a_name_and_only_the_owner_revokes_them(client, session, demo_users):
    foreign = issue_api_token(session, demo_users["analyst"], "чужой")
    session.commit()
    foreign_id = session.scalars(session.query(ApiToken.id).statement).one()
    login(client, "manager")
    page = client.get("/profile/tokens").get_data(as_text=True)

    unnamed = client.post("/profile/tokens", data={"name": "  ", "csrf_token": csrf_from(page)},
                          follow_redirects=True)
    assert "Укажите название токена" in unnamed.get_data(as_text=True)
    revoked = client.post(f"/profile/tokens/{foreign_id}/revoke", data={"csrf_token": csrf_from(page)})
    assert revoked.status_code == 404 and "Токен не найден" in revoked.get_data(as_text=True)

    session.expire_all()
    assert len(session.scalars(session.query(ApiToken).statement).all()) == 1
    api = client.application.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {foreign}"}).status_code == 200


def test_a_failed_login_counts_although_the_answer_is_401(client, session, demo_users, clock):
    assert login(client, "manager", "wrong").status_code == 401
    rows = {row.key: row.failures for row in session.scalars(session.query(LoginThrottle).statement)}
    assert rows == {"login:manager": 1, "ip:127.0.0.1": 1}
    assert login(client, "manager").status_code == 302
    session.expire_all()
    assert session.scalars(session.query(LoginThrottle).statement).all() == []
