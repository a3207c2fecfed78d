"""Defect 3: linking to a record requires the right to read it (deals, tasks)."""

from __future__ import annotations

from sqlalchemy import func, select

from models.clients.cards import Client
from models.sales.deals import Deal
from models.tasks.adhoc import Task
from tests.hardening.conftest import bearer


def _client_of(session, owner, name="АО «Чужой»", inn="7736050003") -> Client:
    record = Client(kind="company", full_name=name, inn=inn, owner=owner)
    session.add(record)
    session.commit()
    return record


def test_a_manager_cannot_open_a_deal_on_another_managers_client(
        client, session, demo_users, tokens, funnels):
    foreign = _client_of(session, demo_users["manager"])
    answer = client.post("/api/v1/deals", json={"client_id": foreign.id, "premium": "1000"},
                         headers=bearer(tokens["manager3"]))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"] == {"client_id": ["Клиент не найден"]}
    assert "Чужой" not in answer.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Deal)) == 0
    own = client.post("/api/v1/deals", json={"client_id": foreign.id, "premium": "1000"},
                      headers=bearer(tokens["manager"]))
    assert own.status_code == 201


def test_a_task_cannot_be_linked_to_a_client_the_creator_may_not_read(client, session, demo_users, tokens):
    foreign = _client_of(session, demo_users["manager"])
    body = {"title": "Разузнать", "assignee_id": demo_users["manager3"].id,
            "business_type": "client", "business_id": foreign.id}
    answer = client.post("/api/v1/tasks", json=body, headers=bearer(tokens["manager3"]))
    assert answer.status_code == 422
    refused = answer.get_json()["error"]["fields"]
    assert refused["business_id"] == ["Связанная запись не найдена или недоступна вам"]
    assert "Чужой" not in answer.get_data(as_text=True)
    unknown = client.post("/api/v1/tasks", json=body | {"business_id": foreign.id + 1000},
                          headers=bearer(tokens["manager3"]))
    assert unknown.get_json()["error"]["fields"] == refused  # nothing to enumerate
    assert session.scalar(select(func.count()).select_from(Task)) == 0
    allowed = client.post("/api/v1/tasks", json=body, headers=bearer(tokens["manager"]))
    assert allowed.status_code == 201
