"""Defect 4: hostile numbers, texts and redirects answer 4xx with a Russian message, never 500."""

from __future__ import annotations

import pytest

from models.clients.cards import Client
from tests.conftest import csrf_from, login
from tests.hardening.conftest import bearer

HUGE = ["2147483648", "9223372036854775808", "99999999999999999999999", "²", "٣", "１"]


@pytest.mark.parametrize("path", ["/api/v1/clients/{}", "/api/v1/deals/{}", "/api/v1/leads/{}",
                                  "/api/v1/tasks/process/{}", "/api/v1/process-instances/{}",
                                  "/clients/{}", "/deals/{}", "/inbox/process/{}"])
def test_huge_and_unicode_ids_in_paths_are_404(client, tokens, path):
    for raw in HUGE:
        answer = client.get(path.format(raw), headers=bearer(tokens["admin"]))
        assert answer.status_code == 404, (path, raw, answer.status_code)


def test_unicode_digits_and_huge_numbers_in_queries_and_bodies(client, session, demo_users, tokens, funnels):
    admin = bearer(tokens["admin"])
    for raw in HUGE:
        assert client.get(f"/api/v1/tasks?limit={raw}&offset={raw}", headers=admin).status_code == 200
        assert client.get(f"/api/v1/clients?owner={raw}&limit={raw}", headers=admin).status_code in (200, 422)
        listed = client.get(f"/api/v1/deals?client_id={raw}&owner_id={raw}", headers=admin)
        assert listed.status_code in (200, 400, 422), (raw, listed.status_code)
        made = client.post("/api/v1/deals", json={"client_id": raw}, headers=admin)
        assert made.status_code == 422, (raw, made.status_code)
    for number in (2**31, 2**63, 2**70):
        made = client.post("/api/v1/deals", json={"client_id": number}, headers=admin)
        assert made.status_code in (400, 422), (number, made.status_code)
        task = client.post("/api/v1/tasks", headers=admin, json={
            "title": "x", "assignee_id": number, "business_type": "client", "business_id": number})
        assert task.status_code in (400, 422), (number, task.status_code)
    login(client, "manager")
    assert client.get("/inbox/?page=²").status_code == 200


def test_merge_with_choices_that_are_not_an_object_is_422(client, session, demo_users, tokens):
    first = Client(kind="company", full_name="ООО «Один»", inn="7736050003", owner=demo_users["manager"])
    second = Client(kind="company", full_name="ООО «Два»", inn="7707083893", owner=demo_users["manager"])
    session.add_all([first, second])
    session.commit()
    for choices in ("всё", ["survivor"], 5):
        answer = client.post(f"/api/v1/clients/{first.id}/merge", headers=bearer(tokens["admin"]),
                             json={"other_id": second.id, "choices": choices})
        assert answer.status_code == 422
        assert answer.get_json()["error"]["fields"]["choices"]


@pytest.mark.parametrize("target", ["/inbox/\r\nSet-Cookie: x=1", "/\\evil.example",
                                    "/inbox/\x00"])
def test_login_with_control_characters_in_next_goes_home(client, demo_users, target):
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    answer = client.post("/login", data={"login": "manager", "password": "demo", "next": target,
                                         "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert answer.status_code == 302
    assert "Set-Cookie" not in answer.headers["Location"] and "evil" not in answer.headers["Location"]
    assert "\r" not in answer.headers["Location"] and "\n" not in answer.headers["Location"]


@pytest.mark.parametrize("body", ["true", "[1]", "5", '"текст"', "null"])
def test_a_thread_message_that_is_not_an_object_is_422(client, tokens, body):
    """Found by the schemathesis run: ``true`` as the body of a thread message was a 500."""
    answer = client.post("/api/v1/requests/1/thread", data=body, content_type="application/json",
                         headers=bearer(tokens["admin"]))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["message"] == "Ожидается JSON-объект"
