"""Acceptance 1: working a process task from the inbox page, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from engine.tables import HumanTask
from models.clients.cards import Client
from tests.conftest import csrf_from, login
from tests.tasks.conftest import open_task, relogin, start_callback


def test_inbox_lists_the_task_with_client_process_due_date_and_overdue(
    app, client, session, clock, demo_users, deployed
):
    acme = Client(
        full_name="ООО «Ромашка»", short_name="Ромашка", inn="7707083893", owner=demo_users["manager"]
    )
    session.add(acme)
    session.commit()
    start_callback(app, session, clock, assignee="manager", due_in="PT1H", client_id=acme.id)
    login(client, "manager")
    page = client.get("/inbox/").get_data(as_text=True)
    assert "Перезвонить клиенту" in page and "Ромашка" in page
    assert "просрочено" not in page
    from datetime import timedelta

    clock.advance(timedelta(hours=2, minutes=5))
    page = client.get("/inbox/?section=overdue").get_data(as_text=True)
    assert "просрочено на 1 ч 5 мин" in page
    assert (
        client.get(f"/inbox/?client_id={acme.id + 1}").get_data(as_text=True).count('class="inbox-row"') == 0
    )
    assert client.get(f"/inbox/?client_id={acme.id}").get_data(as_text=True).count('class="inbox-row"') == 1


def test_invalid_data_keeps_the_task_open_and_shows_errors_then_valid_data_moves_on(
    app, client, session, clock, demo_users, deployed
):
    task = start_callback(app, session, clock, assignee="manager", company="ООО «Ромашка» <script>")
    login(client, "manager")
    page = client.get(f"/inbox/process/{task.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h2>Позвоните в ООО «Ромашка» &lt;script&gt;</h2>" in html  # instructions, escaped
    assert "<script>" not in html.split("instructions")[1][:500]
    token = csrf_from(html)

    bad = client.post(
        f"/inbox/process/{task.id}",
        data={
            "csrf_token": token,
            "outcome": "",
            "call_date": "завтра",
            "employees": "двадцать",
            "premium": "12,345",
            "notes": "Сказали перезвонить",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Обязательное поле" in html  # outcome
    assert "Неверный формат: ожидается дата (ГГГГ-ММ-ДД)" in html
    assert "Введите целое число" in html
    assert "Сумма в рублях" in html  # three decimals
    assert "Сказали перезвонить" in html and 'value="двадцать"' in html  # what was typed is kept
    session.expire_all()
    assert session.get(HumanTask, task.id).status == "open"

    ok = client.post(
        f"/inbox/process/{task.id}",
        data={
            "csrf_token": token,
            "outcome": "reached",
            "call_date": "2026-01-12",
            "employees": "120",
            "premium": "150 000,50",
            "products": ["dms", "cargo"],
            "needs_offer": "1",
            "notes": "Ждут КП",
        },
    )
    assert ok.status_code == 302
    follow = client.get(ok.headers["Location"]).get_data(as_text=True)
    assert "Следующий шаг: «Подготовить предложение» — в очередь роли «Андеррайтер»" in follow
    session.expire_all()
    done = session.get(HumanTask, task.id)
    assert done.status == "completed"
    assert done.completed_data == {
        "outcome": "reached",
        "call_date": "2026-01-12",
        "employees": 120,
        "premium": "150000.50",
        "products": ["dms", "cargo"],
        "needs_offer": True,
        "notes": "Ждут КП",
        "contact_client_id": None,
        "deal_id": None,
        "attachment": None,
    }
    offer = open_task(session, task.instance_id)
    assert (offer.title, offer.candidate_role, offer.assignee_id) == (
        "Подготовить предложение",
        "underwriter",
        None,
    )

    relogin(client, "underwriter")
    queue = client.get("/inbox/?section=queue").get_data(as_text=True)
    assert "Подготовить предложение" in queue
    offer_page = client.get(f"/inbox/process/{offer.id}").get_data(as_text=True)
    assert "Ждут КП" in offer_page  # earlier step's data in the context panel
    assert "Подготовьте предложение для <strong>ООО «Ромашка» &lt;script&gt;</strong>" in offer_page
    relogin(client, "manager3")
    assert client.get(f"/inbox/process/{offer.id}").status_code == 403


def test_a_second_completion_is_a_conflict(app, client, session, clock, demo_users, deployed):
    task = start_callback(app, session, clock, assignee="manager")
    login(client, "manager")
    token = csrf_from(client.get(f"/inbox/process/{task.id}").get_data(as_text=True))
    data = {"csrf_token": token, "outcome": "no_answer", "call_date": "2026-01-12"}
    assert client.post(f"/inbox/process/{task.id}", data=data).status_code == 302
    again = client.post(f"/inbox/process/{task.id}", data=data)
    assert again.status_code == 409
    assert "Задача уже выполнена или отменена" in again.get_data(as_text=True)
    session.expire_all()
    assert (
        session.scalar(select(HumanTask).where(HumanTask.id == task.id)).completed_data["outcome"]
        == "no_answer"
    )
