"""``/api/v1/tasks``: list with filters, get, create, complete, claim, reassign, comment; JSON errors."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.tables import HumanTask
from models.clients.cards import Client
from models.identity.users import issue_api_token
from models.tasks.adhoc import Task
from models.tasks.comments import Comment
from tests.tasks.conftest import open_task, start_callback


def _headers(session, user) -> dict:
    token = issue_api_token(session, user, "тест")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_create_list_get_and_complete_an_ad_hoc_task(client, session, demo_users):
    linked = Client(kind="company", full_name="ООО «Связанная»", owner=demo_users["manager"])
    session.add(linked)
    session.commit()
    headers = _headers(session, demo_users["senior"])
    created = client.post(
        "/api/v1/tasks",
        headers=headers,
        json={
            "title": "Согласовать скидку",
            "assignee_id": demo_users["manager"].id,
            "priority": 1,
            "due_at": "2026-01-12T12:00:00+03:00",
            "business_type": "client",
            "business_id": linked.id,
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["kind"], body["due_at"], body["status"]) == ("adhoc", "2026-01-12T09:00:00+00:00", "new")

    manager = _headers(session, demo_users["manager"])
    listed = client.get(f"/api/v1/tasks?section=my&priority=1&client_id={linked.id}",
                        headers=manager).get_json()
    assert [i["title"] for i in listed["items"]] == ["Согласовать скидку"]
    assert listed["counts"]["my"] == 1 and listed["counts"]["overdue"] == 0
    assert client.get(f"/api/v1/tasks?client_id={linked.id + 1}", headers=manager).get_json()["items"] == []
    assert (
        client.get(f"/api/v1/tasks/adhoc/{body['id']}", headers=manager).get_json()["title"]
        == "Согласовать скидку"
    )
    done = client.post(f"/api/v1/tasks/adhoc/{body['id']}/complete", headers=manager, json={})
    assert done.status_code == 200 and done.get_json()["task"]["status"] == "done"
    assert (
        client.get("/api/v1/tasks?section=completed", headers=manager).get_json()["items"][0]["id"]
        == body["id"]
    )


def test_bad_bodies_get_json_errors_in_russian_and_store_nothing(client, session, demo_users):
    headers = _headers(session, demo_users["manager"])
    response = client.post(
        "/api/v1/tasks", headers=headers, json={"priority": "высокий", "due_at": "завтра", "colour": "red"}
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation" and error["message"] == "Данные не прошли проверку"
    assert error["fields"]["title"] == ["Обязательное поле"]
    assert error["fields"]["priority"] == ["Ожидается целое число"]
    assert error["fields"]["due_at"][0].startswith("Ожидается дата и время")
    assert error["fields"]["colour"] == ["Неизвестное поле"]
    rule = client.post("/api/v1/tasks", headers=headers, json={"title": "x", "assignee_id": 99999})
    assert rule.status_code == 422
    assert rule.get_json()["error"]["fields"] == {"assignee_id": ["Исполнитель не найден"]}
    assert session.scalar(select(func.count(Task.id))) == 0
    assert client.get("/api/v1/tasks?section=всё", headers=headers).status_code == 422


def test_complete_process_task_with_form_data_claim_reassign_and_comment(
    app, client, session, clock, demo_users, deployed
):
    queued = start_callback(app, session, clock, assignee=None)
    manager = _headers(session, demo_users["manager"])
    manager3 = _headers(session, demo_users["manager3"])
    queue = client.get("/api/v1/tasks?section=queue", headers=manager).get_json()
    assert [(i["kind"], i["id"]) for i in queue["items"]] == [("process", queued.id)]
    assert client.post(f"/api/v1/tasks/process/{queued.id}/claim", headers=manager).status_code == 200
    late = client.post(f"/api/v1/tasks/process/{queued.id}/claim", headers=manager3)
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "conflict"

    no_reason = client.post(
        f"/api/v1/tasks/process/{queued.id}/reassign",
        headers=manager,
        json={"assignee_id": demo_users["manager3"].id},
    )
    assert no_reason.status_code == 422
    assert no_reason.get_json()["error"]["fields"] == {"reason": ["Укажите причину переназначения"]}

    invalid = client.post(
        f"/api/v1/tasks/process/{queued.id}/complete",
        headers=manager,
        json={"data": {"outcome": "maybe", "employees": -1}},
    )
    assert invalid.status_code == 422
    assert invalid.get_json()["error"]["fields"] == {
        "call_date": ["Обязательное поле"],
        "employees": ["Значение должно быть не меньше 0"],
        "outcome": ["Выберите значение из списка"],
    }
    session.expire_all()
    assert session.get(HumanTask, queued.id).status == "open"

    comment = client.post(
        f"/api/v1/tasks/process/{queued.id}/comments", headers=manager, json={"body": "Уточню у @senior"}
    )
    assert comment.status_code == 201 and comment.get_json()["mentions"] == ["senior"]
    empty = client.post(f"/api/v1/tasks/process/{queued.id}/comments", headers=manager, json={"body": ""})
    assert empty.status_code == 422 and empty.get_json()["error"]["fields"]["body"]
    assert session.scalar(select(func.count(Comment.id))) == 1

    done = client.post(
        f"/api/v1/tasks/process/{queued.id}/complete",
        headers=manager,
        json={"data": {"outcome": "reached", "call_date": "2026-01-12", "needs_offer": True, "notes": "КП"}},
    )
    assert done.status_code == 200, done.get_json()
    [following] = done.get_json()["next"]
    assert (following["title"], following["candidate_role"]) == ("Подготовить предложение", "underwriter")
    assert open_task(session, queued.instance_id).id == following["id"]
    other = client.get(f"/api/v1/tasks/process/{following['id']}", headers=manager3)
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/tasks").status_code == 401
