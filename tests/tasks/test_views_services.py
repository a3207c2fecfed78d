"""The inbox pages and the task API call one service each: what moved out of the views still behaves.

A service refusing after it wrote leaves nothing stored (the request's unit of work), a
conflict found while flushing is answered with the task's page as stored (409, not a 500),
missing tasks and templates are 404 with a Russian message, input that cannot be read is
refused instead of dropped, and the pages read clients and counters through services.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.clients.queries import client_choices, visible_client_count
from models.identity.users import issue_api_token
from models.notifications.service import Notification
from models.platform.outbox import OutboxMessage
from models.tasks.actions import TaskAssignment
from models.tasks.adhoc import Task
from models.tasks.pages import navigation_counts
from models.tasks.templates import TaskTemplate
from tests.conftest import csrf_from, login
from tests.tasks.conftest import relogin


def _token(client, path: str = "/inbox/") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def _count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _new_task(client, token: str, assignee_id: int, title: str = "Проверить договор") -> None:
    response = client.post("/inbox/tasks", data={"csrf_token": token, "title": title,
                                                 "assignee_id": assignee_id, "priority": "2"})
    assert response.status_code == 302


@contextmanager
def someone_else_changes(task_id: int):
    """While the block runs, the first flush that writes task ``task_id`` finds it changed meanwhile.

    The task's ``version`` is moved on in the same transaction just before the request's
    UPDATE, as a colleague's committed edit would have done; the request's rollback undoes it.
    """
    fired: list[int] = []

    def bump(flushing: Session, _context, _instances) -> None:
        if not fired and any(isinstance(o, Task) and o.id == task_id for o in flushing.dirty):
            fired.append(task_id)
            table = Task.__table__
            flushing.connection().execute(
                update(table).where(table.c.id == task_id).values(version=table.c.version + 1))

    event.listen(Session, "before_flush", bump)
    try:
        yield fired
    finally:
        event.remove(Session, "before_flush", bump)


def test_a_template_refused_after_its_first_tasks_were_written_keeps_nothing(
    client, session, clock, demo_users
):
    owned = Client(full_name="ООО «С менеджером»", owner=demo_users["manager"])
    orphan = Client(full_name="ООО «Без менеджера»", owner=None)
    session.add_all([owned, orphan])
    session.commit()
    assert owned.id < orphan.id  # the owned client's task is written (and its owner notified) first
    login(client, "head")
    token = _token(client, "/inbox/templates")
    client.post("/inbox/templates", data={"csrf_token": token, "name": "Продление", "title": "Позвонить",
                                          "business_type": "client", "due_in_days": "3", "priority": "2"})
    template_id = session.scalar(select(TaskTemplate.id))

    refused = client.post(f"/inbox/templates/{template_id}/apply", data={
        "csrf_token": token, "record_ids": [str(owned.id), str(orphan.id)], "assign": "owner"})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Задача заполнена с ошибками" in page
    assert 'name="record_ids" multiple' in page  # the templates page again, to fix the choice
    assert (_count(session, Task), _count(session, Notification), _count(session, OutboxMessage)) == (0, 0, 0)


def test_a_conflict_found_while_saving_shows_the_task_as_stored(client, session, demo_users):
    login(client, "manager")
    _new_task(client, _token(client), demo_users["manager"].id)
    task = session.scalar(select(Task))
    token = _token(client, f"/inbox/tasks/{task.id}")

    with someone_else_changes(task.id) as fired:
        response = client.post(f"/inbox/tasks/{task.id}/status",
                               data={"csrf_token": token, "status": "in_progress"})

    page = response.get_data(as_text=True)
    assert fired and response.status_code == 409
    assert "Задачу только что изменил другой пользователь" in page
    assert '<span class="badge bg-secondary" id="task-status">Новая</span>' in page
    session.expire_all()
    stored = session.get(Task, task.id)
    assert (stored.status, stored.version, stored.assignee_id) == ("new", 1, demo_users["manager"].id)


def test_a_conflict_found_while_saving_is_409_in_the_api_and_keeps_no_history(client, session, demo_users):
    token = issue_api_token(session, demo_users["manager"], "тест")
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/tasks", headers=headers, json={"title": "Разобрать почту",
                                                                 "department": "sales"})
    assert created.status_code == 201, created.get_json()
    task_id = created.get_json()["id"]

    with someone_else_changes(task_id) as fired:
        late = client.post(f"/api/v1/tasks/adhoc/{task_id}/claim", headers=headers)

    assert fired and late.status_code == 409
    assert late.get_json()["error"]["code"] == "conflict"
    session.expire_all()
    assert session.get(Task, task_id).assignee_id is None
    assert _count(session, TaskAssignment) == 0


def test_missing_tasks_and_templates_answer_404_in_russian(client, session, demo_users):
    login(client, "manager")
    for path in ("/inbox/tasks/999999", "/inbox/process/999999"):
        missing = client.get(path)
        assert missing.status_code == 404 and "Задача не найдена" in missing.get_data(as_text=True)
    token = _token(client)
    assert client.post("/inbox/elsewhere/1/claim", data={"csrf_token": token}).status_code == 404
    template = client.post("/inbox/templates/999999/apply", data={"csrf_token": token, "record_ids": ["1"]})
    assert template.status_code == 404 and "Шаблон не найден" in template.get_data(as_text=True)
    api_token = issue_api_token(session, demo_users["manager"], "тест")
    session.commit()
    api = client.get("/api/v1/tasks/adhoc/999999", headers={"Authorization": f"Bearer {api_token}"})
    assert api.status_code == 404
    assert api.get_json()["error"] == {"code": "not_found", "message": "Задача не найдена"}


def test_numbers_that_cannot_be_read_are_refused_not_dropped(client, session, demo_users):
    login(client, "manager")
    token = _token(client, "/inbox/templates")
    refused = client.post("/inbox/templates", data={
        "csrf_token": token, "name": "Звонок", "title": "Позвонить", "business_type": "client",
        "due_in_days": "3", "remind_before_hours": "сутки", "priority": "2"})
    assert refused.status_code == 422 and "Ожидается число" in refused.get_data(as_text=True)
    assert _count(session, TaskTemplate) == 0

    _new_task(client, token, demo_users["manager"].id)
    task = session.scalar(select(Task))
    wrong = client.post(f"/inbox/adhoc/{task.id}/reassign", data={
        "csrf_token": token, "assignee_id": "Петров", "reason": "Отпуск", "mode": "reassign"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Ожидается число" in page
    assert "Отпуск</textarea>" in page  # what was typed comes back
    assert _count(session, TaskAssignment) == 0


def test_pages_read_clients_and_counters_through_services(client, session, clock, demo_users):
    mine = Client(full_name="ООО «Моя»", owner=demo_users["manager"])
    theirs = Client(full_name="ООО «Чужая»", owner=demo_users["manager3"])
    session.add_all([mine, theirs])
    session.commit()
    manager = demo_users["manager"]
    assert [c.id for c in client_choices(session, manager)] == [mine.id]
    assert visible_client_count(session, manager) == 1
    assert visible_client_count(session, demo_users["head"]) == 2

    login(client, "senior")
    _new_task(client, _token(client), manager.id)
    counts = navigation_counts(session, manager, clock.now(), "Europe/Moscow")
    assert counts == {"tasks": 1, "notifications": 1}
    # the task form lists no clients: its link picker asks the global search, which offers only
    # readable clients
    form = client.get("/inbox/tasks/new").get_data(as_text=True)
    assert "ООО «Моя»" not in form and "data-typeahead=" in form

    def offered(name: str) -> list[str]:
        answer = client.get("/search/quick.json", query_string={"q": name, "kinds": "client"})
        return [item["name"] for item in answer.get_json()["items"]]

    assert offered("Моя") == ["ООО «Моя»"] and offered("Чужая") == ["ООО «Чужая»"]  # the department's
    relogin(client, "manager")
    assert offered("Моя") == ["ООО «Моя»"] and offered("Чужая") == []
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "Проверить договор" in inbox
