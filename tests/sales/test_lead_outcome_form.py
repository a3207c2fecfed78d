"""The lead card's outcome form: the inbox's renderer and parser, completed by the one service."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from engine.tables import HumanTask
from models.identity.users import issue_api_token
from models.sales.deals import Deal
from models.sales.leads import Lead
from tests.conftest import csrf_from, login


def _lead(world) -> tuple[Lead, HumanTask]:
    lead = world.lead(company="ООО «Форма»", phone="+79161234567", territory="Москва", industry="Логистика")
    [task] = world.open_tasks(lead)
    return lead, task


def _login_as(world, client, user_id: int) -> None:
    login(client, next(u.login for u in world.users.values() if u.id == user_id))


def test_the_card_shows_labels_not_codes_and_money_is_typed_the_russian_way(world, client):
    lead, task = _lead(world)
    _login_as(world, client, task.assignee_id)
    card = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', card.split('id="outcome-form"')[1])
    assert ("qualified", "Квалифицирован — открыть сделку") in options
    assert ("not_relevant", "Не актуален") in options
    assert ("company", "Юрлицо") in options and ("", "— как определено —") in options
    assert '<div class="mb-3 form-field" data-widget="money">' in card

    done = client.post(f"/leads/{lead.id}/outcome", data={
        "csrf_token": csrf_from(card), "outcome": "qualified", "premium": "1 500 000,50", "product": "ДМС",
        "client_kind": ""})
    world.session.expire_all()
    deal = world.session.scalar(select(Deal).where(Deal.lead_id == lead.id))
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/deals/{deal.id}")
    assert deal.premium == Decimal("1500000.50")
    assert world.session.get(HumanTask, task.id).completed_data == {
        "outcome": "qualified", "premium": "1500000.50", "product": "ДМС"}


def test_errors_come_back_on_the_card_with_what_was_typed_then_a_rejection_stays_on_the_lead(world, client):
    lead, task = _lead(world)
    _login_as(world, client, task.assignee_id)
    token = csrf_from(client.get(f"/leads/{lead.id}").get_data(as_text=True))
    refused = client.post(f"/leads/{lead.id}/outcome", data={
        "csrf_token": token, "outcome": "not_relevant", "premium": "12,345", "comment": "перезвонят"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Сумма в рублях, например 1 500 000 или 1 500 000,50" in html
    assert "Обязательное поле" in html  # the reason a rejection needs, reported with the amount
    assert 'value="12,345"' in html and "перезвонят" in html
    assert '<option value="not_relevant" selected>Не актуален</option>' in html
    assert world.open_tasks(lead)[0].id == task.id

    rejected = client.post(f"/leads/{lead.id}/outcome", data={
        "csrf_token": token, "outcome": "not_relevant", "reason": "Ошиблись номером"})
    assert rejected.status_code == 302 and rejected.headers["Location"].endswith(f"/leads/{lead.id}")
    world.session.expire_all()
    assert world.session.get(Lead, lead.id).status == "rejected"


def test_who_edits_the_lead_records_its_outcome_on_the_card_but_not_through_the_inbox(world, client):
    lead, task = _lead(world)
    senior = world.users["senior"]  # same department as the routed manager, not the task's assignee
    assert task.assignee_id != senior.id
    token = issue_api_token(world.session, senior, "тест")
    world.session.commit()
    data = {"outcome": "not_relevant", "reason": "Дубль заявки"}
    api = client.post(f"/api/v1/tasks/process/{task.id}/complete",
                      headers={"Authorization": f"Bearer {token}"}, json={"data": data})
    assert api.status_code == 403

    login(client, "senior")
    card = client.get(f"/leads/{lead.id}").get_data(as_text=True)
    done = client.post(f"/leads/{lead.id}/outcome", data={"csrf_token": csrf_from(card), **data})
    assert done.status_code == 302
    world.session.expire_all()
    row = world.session.get(HumanTask, task.id)
    assert (row.status, row.completed_by_id) == ("completed", senior.id)


def test_the_api_says_what_happens_next(world, client):
    lead, task = _lead(world)
    assignee = world.session.get(type(world.users["manager"]), task.assignee_id)
    token = issue_api_token(world.session, assignee, "тест")
    world.session.commit()
    done = client.post(f"/api/v1/tasks/process/{task.id}/complete",
                       headers={"Authorization": f"Bearer {token}"},
                       json={"data": {"outcome": "qualified", "premium": "250000.00"}})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["message"].startswith("Задача выполнена.")
    world.session.expire_all()
    assert world.session.get(Lead, lead.id).deal_id is not None


def test_the_lead_task_in_the_inbox_shows_the_same_labels(world, client):
    _lead_row, task = _lead(world)
    _login_as(world, client, task.assignee_id)
    page = client.get(f"/inbox/process/{task.id}").get_data(as_text=True)
    assert '<option value="qualified">Квалифицирован — открыть сделку</option>' in page
    assert '<option value="not_relevant">Не актуален</option>' in page
    assert ">qualified<" not in page and ">not_relevant<" not in page and ">company<" not in page
