"""Comments with @mentions, notifications (list, unread counter, preferences), task templates."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from models.clients.cards import Client
from models.notifications.service import Notification, email_preferences
from models.platform.outbox import OutboxMessage
from models.tasks.adhoc import Task
from models.tasks.comments import add_comment
from tests.conftest import csrf_from, login
from tests.tasks.conftest import relogin


def _token(client) -> str:
    return csrf_from(client.get("/inbox/").get_data(as_text=True))


def test_mention_in_a_task_comment_notifies_once_and_shows_in_the_list(client, session, clock, demo_users):
    login(client, "manager")
    token = _token(client)
    client.post(
        "/inbox/tasks",
        data={
            "csrf_token": token,
            "title": "Проверить реквизиты",
            "assignee_id": demo_users["manager"].id,
            "priority": "2",
        },
    )
    task = session.scalar(select(Task))
    response = client.post(
        f"/inbox/adhoc/{task.id}/comments",
        data={
            "csrf_token": token,
            "body": "@manager2 и @senior, посмотрите; @nobody не существует; @manager2 ещё раз",
        },
    )
    assert response.status_code == 302
    notes = session.scalars(
        select(Notification).where(Notification.kind == "mention").order_by(Notification.user_id)
    ).all()
    assert [n.user_id for n in notes] == [demo_users["senior"].id, demo_users["manager2"].id]
    assert "Проверить реквизиты" in notes[0].title
    empty = client.post(f"/inbox/adhoc/{task.id}/comments", data={"csrf_token": token, "body": "   "})
    assert empty.status_code == 422 and "Комментарий не может быть пустым" in empty.get_data(as_text=True)

    relogin(client, "manager2")
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'id="unread-count">1<' in page
    listing = client.get("/inbox/notifications").get_data(as_text=True)
    assert "Иван Сергеевич Петров упомянул(а) вас" in listing
    client.post("/inbox/notifications/read", data={"csrf_token": csrf_from(listing)})
    assert 'id="unread-count"' not in client.get("/inbox/").get_data(as_text=True)


def test_comments_on_clients_and_deals_mention_colleagues(session, clock, demo_users):
    comment = add_comment(session, "client", 7, demo_users["head"], "Прошу @manager3 связаться", clock.now())
    add_comment(session, "deal", 8, demo_users["head"], "Сделку ведёт @manager3", clock.now())
    session.commit()
    assert comment.mentions == ["manager3"]
    notes = session.scalars(
        select(Notification).where(Notification.user_id == demo_users["manager3"].id)
    ).all()
    assert sorted(n.object_type for n in notes) == ["client", "deal"]
    assert session.scalar(select(func.count(OutboxMessage.id))) == 2  # mentions go by e-mail by default


def test_email_preferences_are_saved_per_kind(client, session, demo_users):
    login(client, "manager")
    page = client.get("/inbox/notifications").get_data(as_text=True)
    client.post(
        "/inbox/notifications/preferences",
        data={"csrf_token": csrf_from(page), "email": ["task_assigned", "task_escalated"]},
    )
    prefs = email_preferences(session, demo_users["manager"].id)
    assert prefs == {
        "task_assigned": True,
        "task_reminder": False,
        "task_overdue": False,
        "task_escalated": True,
        "mention": False,
        "lead_assigned": False,
        "lead_reminder": False,
        "lead_escalated": False,
        "deal_opened": False,
        "handover": False,
        "discount_request": False,
        "discount_decision": False,
        "process_feedback": False,
        "renewal_started": False,
        "renewal_escalated": False,
        "churn_risk": False,
        "department_request": False,
        "data_quality": False,
        "client_feedback": False,
        "document_approval": False,
        "document_status": False,
        "document_code": False,
    }


def test_template_creates_one_linked_task_per_client_for_its_owner(client, session, clock, demo_users):
    clients = [
        Client(full_name=f"ООО «Клиент {i}»", owner=demo_users["manager" if i % 2 else "manager3"])
        for i in range(6)
    ]
    session.add_all(clients)
    session.commit()
    login(client, "senior")
    token = _token(client)
    bad = client.post(
        "/inbox/templates",
        data={"csrf_token": token, "name": "", "title": "Позвонить", "due_in_days": "400", "priority": "2"},
    )
    assert bad.status_code == 422
    assert "Укажите название шаблона" in bad.get_data(as_text=True)
    assert "Срок — от 0 до 365 дней" in bad.get_data(as_text=True)
    client.post(
        "/inbox/templates",
        data={
            "csrf_token": token,
            "name": "Продление",
            "title": "Позвонить по продлению",
            "business_type": "client",
            "due_in_days": "5",
            "remind_before_hours": "24",
            "priority": "1",
        },
    )
    page = client.get("/inbox/templates").get_data(as_text=True)
    template_id = int(page.split("/inbox/templates/")[1].split("/")[0])
    response = client.post(
        f"/inbox/templates/{template_id}/apply",
        data={"csrf_token": token, "record_ids": [str(c.id) for c in clients], "assign": "owner"},
    )
    assert response.status_code == 302
    tasks = session.scalars(select(Task).order_by(Task.business_id)).all()
    assert [(t.business_type, t.business_id) for t in tasks] == [("client", c.id) for c in clients]
    assert [t.assignee_id for t in tasks] == [c.owner_id for c in clients]
    assert {t.title for t in tasks} == {"Позвонить по продлению"}
    assert all(t.remind_at == t.due_at - timedelta(hours=24) for t in tasks)
    empty = client.post(
        f"/inbox/templates/{template_id}/apply", data={"csrf_token": token, "assign": "owner"}
    )
    assert empty.status_code == 422 and "Выберите хотя бы одну запись" in empty.get_data(as_text=True)
    assert session.scalar(select(func.count(Task.id))) == 6


def test_template_refuses_clients_the_user_cannot_see(client, session, clock, demo_users):
    theirs = Client(full_name="ООО «Чужой»", owner=demo_users["manager"])
    session.add(theirs)
    session.commit()
    login(client, "manager3")
    token = _token(client)
    client.post("/inbox/templates", data={"csrf_token": token, "name": "Звонок", "title": "Позвонить",
                                          "business_type": "client", "due_in_days": "1", "priority": "2"})
    page = client.get("/inbox/templates").get_data(as_text=True)
    template_id = int(page.split("/inbox/templates/")[1].split("/")[0])
    refused = client.post(f"/inbox/templates/{template_id}/apply", data={
        "csrf_token": token, "record_ids": [str(theirs.id)], "assign": "owner"})
    assert refused.status_code == 422 and "Нет доступа к части клиентов" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count(Task.id))) == 0
