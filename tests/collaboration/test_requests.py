"""Requests between departments: SLA from the DMN table, the thread, the answer in the asker's inbox,
escalation once on breach, bad input refused in Russian."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.jobs import fire_due_timers
from engine.tables import HumanTask
from models.collaboration.request_service import RequestError, ask, comment_on_request, journal
from models.collaboration.requests import DepartmentRequest, RequestStatus
from models.notifications.service import Notification
from models.platform.settings import PROJECT_ROOT
from models.tasks.process_tasks import complete_process_task

FORMS = PROJECT_ROOT / "forms"
TARIFF = {"subject": "КАСКО на 40 машин", "product": "КАСКО", "insured_sum": "120000000",
          "question": "Посчитайте тариф на автопарк"}


def _ask(world, kind="tariff", form=None, user="manager", client=None):
    client = client or world.client()
    request = ask(world.session, world.engine(), world.users[user],
                  {"kind": kind, "client_id": client.id, "form": form or TARIFF}, world.clock.now(), FORMS)
    world.session.commit()
    return request


def _notes(world, login):
    world.session.expire_all()
    mine = Notification.user_id == world.users[login].id
    return list(world.session.scalars(select(Notification).where(mine)
                                      .order_by(Notification.id)))


def test_tariff_request_goes_to_underwriting_with_sla_and_the_answer_lands_in_the_askers_inbox(world):
    request = _ask(world)
    assert request.sla_hours == 16 and request.due_at == world.clock.now() + timedelta(hours=16)
    [task] = world.open_tasks(request.instance_id)
    assert task.element_id == "answer_tariff" and task.candidate_role == "underwriter"
    assert task.due_at == request.due_at
    comment_on_request(world.session, world.users["underwriter"], request.id,
                       "@manager уточните франшизу", world.clock.now())
    world.session.commit()
    assert any("упомянул" in n.title for n in _notes(world, "manager"))
    world.clock.advance(timedelta(hours=3))
    complete_process_task(world.session, world.engine(), world.users["underwriter"], task.id,
                          {"answer": "Тариф 2,1 % при франшизе 30 000 ₽"})
    world.session.commit()
    world.session.expire_all()
    request = world.session.get(DepartmentRequest, request.id)
    assert request.status == RequestStatus.ANSWERED
    assert request.answered_by_id == world.users["underwriter"].id
    assert request.in_sla is True
    [review] = world.open_tasks(request.instance_id)
    assert review.element_id == "review" and review.assignee_id == world.users["manager"].id
    assert any("Ответ на запрос" in n.title for n in _notes(world, "manager"))
    complete_process_task(world.session, world.engine(), world.users["manager"], review.id,
                          {"outcome": "accept"})
    world.session.commit()
    world.session.expire_all()
    assert world.session.get(DepartmentRequest, request.id).status == RequestStatus.CLOSED
    sla = journal(world.session, world.users["head"], {}, world.clock.now()).sla
    assert [(t.team, t.answered, t.in_sla) for t in sla] == [("Андеррайтинг", 1, 1)]


def test_sla_breach_escalates_once(world, app):
    request = _ask(world, kind="requisites", form={"subject": "Проверить ИНН", "inn": "7707083893",
                                                   "question": "Совпадает ли КПП с филиалом?"})
    assert request.sla_hours == 4
    [task] = world.open_tasks(request.instance_id)
    assert task.candidate_role == "back_office"
    for _ in range(3):  # the scheduler ticks past the breach several times
        world.clock.advance(timedelta(hours=3))
        fire_due_timers(app.extensions["crm.session_factory"], world.services)
    world.session.expire_all()
    row = world.session.get(HumanTask, task.id)
    assert row.escalated_at is not None and row.status == "open"
    escalations = [n for n in world.session.scalars(select(Notification)) if n.title.startswith("Эскалация")]
    assert len(escalations) == 1
    breach = [n for n in _notes(world, "manager") if "нарушен" in n.title]
    assert len(breach) == 1
    assert world.session.get(DepartmentRequest, request.id).breached_at is not None


def test_clarify_starts_a_new_round(world):
    request = _ask(world, kind="product_question", form={"subject": "Грузы", "product": "Грузы",
                                                         "question": "Покрываем ли рефрижераторы?"})
    [task] = world.open_tasks(request.instance_id)
    assert task.candidate_role == "product_specialist"
    complete_process_task(world.session, world.engine(), world.users["product"], task.id, {"answer": "Да"})
    world.session.commit()
    [review] = world.open_tasks(request.instance_id)
    complete_process_task(world.session, world.engine(), world.users["manager"], review.id,
                          {"outcome": "clarify", "comment": "А с франшизой?"})
    world.session.commit()
    [again] = world.open_tasks(request.instance_id)
    assert again.element_id == "answer_product_question"
    world.session.expire_all()
    assert world.session.get(DepartmentRequest, request.id).rounds == 2


@pytest.mark.parametrize("data, field", [
    ({"kind": "nope"}, "kind"),
    ({"kind": "tariff", "form": {"subject": "Тема", "question": "Вопрос"}}, "product"),
    ({"kind": "requisites", "form": {"subject": "Тема", "question": "Вопрос", "inn": "12"}}, "inn"),
    ({"kind": "tariff", "client_id": "x", "form": TARIFF}, "client_id"),
])
def test_bad_requests_are_refused_before_anything_is_stored(world, data, field):
    client = world.client()
    payload = {"client_id": client.id, **data}
    with pytest.raises(RequestError) as refused:
        ask(world.session, world.engine(), world.users["manager"], payload, world.clock.now(), FORMS)
    assert field in refused.value.fields
    world.session.rollback()
    assert world.session.scalar(select(DepartmentRequest.id)) is None


def test_a_manager_cannot_ask_about_another_managers_client(world):
    from models.platform.permissions import AccessDenied

    theirs = world.client(owner="manager2", name="ООО «Чужой»")
    with pytest.raises(AccessDenied):
        _ask(world, client=theirs)


def test_the_request_form_links_client_and_deal_by_name_and_keeps_them_when_refused(app, world):
    """Issue 17: the client and deal are typeahead boxes (global search), never number fields; a card's
    link names its client, an id of another manager's client names nothing, a refused form keeps both."""
    import re

    from tests.conftest import csrf_from, login

    mine = world.client(name="ООО «Сирень»")
    theirs = world.client(owner="manager2", name="ООО «Чужой»")
    browser = app.test_client()
    login(browser, "manager")
    page = browser.get(f"/collaboration/requests/new?kind=tariff&client={mine.id}").get_data(as_text=True)
    assert re.search(r'id="client-search"[^>]*value="ООО «Сирень»"', page)
    assert 'name="client_id" value' in page and 'kinds=client' in page and 'kinds=deal' in page
    other = browser.get(f"/collaboration/requests/new?kind=tariff&client={theirs.id}").get_data(as_text=True)
    assert "Чужой" not in other
    token = csrf_from(page)
    refused = browser.post("/collaboration/requests", data={
        "csrf_token": token, "kind": "tariff", "client_id": str(mine.id), "client_label": "ООО «Сирень»",
        "deal_id": "", "deal_label": "", "subject": "", "question": ""})
    assert refused.status_code == 422
    assert re.search(r'id="client-search"[^>]*value="ООО «Сирень»"', refused.get_data(as_text=True))
    forbidden = browser.post("/collaboration/requests", data={
        "csrf_token": token, "kind": "tariff", "client_id": str(theirs.id), "client_label": "ООО «Чужой»",
        "subject": "Тема", "product": "КАСКО", "question": "Вопрос", "insured_sum": "1 000 000"})
    assert forbidden.status_code in (403, 422)
    world.session.rollback()
    assert world.session.scalar(select(DepartmentRequest.id)) is None
