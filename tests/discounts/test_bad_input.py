"""Acceptance 4: bad input is refused with clear Russian messages and nothing half-written.

Negative, zero or >100 % discounts (and roubles above the base premium), a closed deal, no
justification, an unknown product, a decision without a comment, a counter-offer that is not
lower, a second concurrent decision on the same task (one wins, the other gets 409), a
second open request for the same deal and product — through the services, the deal card,
the task page and the API.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.errors import ConflictError, FormValidationError
from engine.tables import HumanTask, ProcessInstance
from models.discounts.errors import DiscountConflict, DiscountError
from models.discounts.requests import DiscountDecision, DiscountRequest
from models.discounts.service import decide_request
from models.identity.users import Absence, issue_api_token
from models.notifications.service import Notification
from models.sales.deals import Deal, DealStatus
from tests.conftest import csrf_from, login

D = Decimal


def _counts(session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count(DiscountRequest.id))),
        session.scalar(select(func.count(ProcessInstance.id))),
        session.scalar(select(func.count(Notification.id))),
    )


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"discount": "-5"}, "discount", "Скидка — больше 0 и не больше 100 %"),
        ({"discount": "0"}, "discount", "Скидка — больше 0 и не больше 100 %"),
        ({"discount": "100.5"}, "discount", "Скидка — больше 0 и не больше 100 %"),
        (
            {"discount": "пятнадцать"},
            "discount",
            "Скидка — число: процент (например, 12,5) или сумма в рублях",
        ),
        ({"discount": "12.345"}, "discount", "Скидка — с точностью до сотых процента"),
        (
            {"discount": "1 000 001", "discount_unit": "rub"},
            "discount",
            "Скидка в рублях — больше нуля и не больше базовой премии (1000000 ₽)",
        ),
        (
            {"discount": "-1", "discount_unit": "rub"},
            "discount",
            "Скидка в рублях — больше нуля и не больше базовой премии (1000000 ₽)",
        ),
        (
            {"justification": "   "},
            "justification",
            "Обоснование обязательно: почему клиенту нужна эта скидка",
        ),
        ({"product": "Жизнь"}, "product", "Выберите продукт из списка"),
        ({"product": "Грузы"}, "product", "В сделке нет продукта «Грузы»: добавьте его в продукты сделки"),
        (
            {"product": "ДМС"},
            "base_premium",
            "Тарифа для «ДМС» в таблице нет: укажите базовую премию по расчёту "
            "андеррайтинга (или премию в сделке)",
        ),
        (
            {"base_premium": "500000"},
            "base_premium",
            "Базовая премия по «КАСКО» считается по тарифу (2,5 % "
            "страховой суммы); вводит её только андеррайтинг",
        ),
        (
            {"competitor": {"who": "СОГАЗ", "price": "дёшево"}},
            "competitor",
            "Цена конкурента — сумма в рублях, например 950 000",
        ),
    ],
)
def test_bad_requests_are_refused_field_by_field_and_nothing_is_written(world, session, data, field, message):
    deal = world.deal(products=("КАСКО", "ДМС"))
    before = _counts(session)
    with pytest.raises(DiscountError) as refused:
        world.ask(deal, **{"discount": "10", **data})
    session.rollback()
    assert refused.value.errors[field] == [message]
    assert _counts(session) == before


def test_a_request_on_a_closed_deal_is_refused(world, session):
    deal = world.deal()
    session.get(Deal, deal.id).status = DealStatus.WON
    session.commit()
    with pytest.raises(DiscountError) as refused:
        world.ask(deal, "5")
    assert refused.value.errors["deal"] == [
        f"Сделка «{deal.title}» закрыта (выиграна): скидку по ней не согласуют"
    ]


def test_one_open_request_per_deal_and_product(world, session):
    deal = world.deal(products=("КАСКО", "Имущество"))
    first = world.ask(deal, "8").request
    with pytest.raises(DiscountConflict) as refused:
        world.ask(deal, "9")
    session.rollback()
    assert f"(№{first.id}, на согласовании)" in refused.value.message
    assert world.ask(deal, "3", product="Имущество").request is not None  # another product is fine


def test_the_deal_card_form_shows_the_messages_and_keeps_what_was_typed(world, client, session):
    deal = world.deal()
    before = _counts(session)
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal.id}").get_data(as_text=True))
    refused = client.post(
        f"/discounts/deals/{deal.id}/requests",
        data={
            "csrf_token": token,
            "product": "КАСКО",
            "discount": "120",
            "discount_unit": "pct",
            "justification": "Клиент просит",
        },
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Скидка — больше 0 и не больше 100 %" in page
    assert 'value="120"' in page and "Клиент просит" in page
    assert _counts(session) == before
    closed = world.deal()
    session.get(Deal, closed.id).status = DealStatus.LOST
    session.commit()
    answer = client.post(
        f"/discounts/deals/{closed.id}/requests",
        data={"csrf_token": token, "product": "КАСКО", "discount": "5", "justification": "Просит"},
    )
    assert answer.status_code == 422
    assert "закрыта (проиграна): скидку по ней не согласуют" in answer.get_data(as_text=True)


def test_the_api_answers_422_with_fields_and_409_for_a_second_open_request(world, app, session):
    deal = world.deal()
    token = issue_api_token(session, world.users["manager"], "тест")
    session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    bad = api.post(
        "/api/v1/discounts/requests",
        headers=headers,
        json={"deal_id": deal.id, "product": "КАСКО", "discount": -3, "justification": ""},
    )
    assert bad.status_code == 422
    fields = bad.get_json()["error"]["fields"]
    assert fields["discount"] == ["Скидка — больше 0 и не больше 100 %"]
    assert fields["justification"] == ["Обоснование обязательно: почему клиенту нужна эта скидка"]
    unknown = api.post("/api/v1/discounts/requests", headers=headers, json={"deal_id": deal.id, "x": 1})
    assert unknown.status_code == 422 and "x" in unknown.get_json()["error"]["fields"]
    ok = api.post(
        "/api/v1/discounts/requests",
        headers=headers,
        json={"deal_id": deal.id, "product": "КАСКО", "discount": "15", "justification": "Тендер"},
    )
    assert ok.status_code == 201, ok.get_json()
    again = api.post(
        "/api/v1/discounts/requests",
        headers=headers,
        json={"deal_id": deal.id, "product": "КАСКО", "discount": "16", "justification": "Тендер"},
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    other = api.post(
        "/api/v1/discounts/requests",
        headers=headers,
        json={"deal_id": 999999, "product": "КАСКО", "discount": "5", "justification": "x"},
    )
    assert other.status_code == 404 and other.get_json()["error"]["message"] == "Сделка не найдена"


def test_a_decision_without_a_comment_is_refused_on_the_task_page_and_in_the_api(world, client, app, session):
    request = world.ask(world.deal(), "15").request
    task = world.task(request)
    login(client, "head")
    page = client.get(f"/inbox/process/{task.id}")
    assert page.status_code == 200
    token = csrf_from(page.get_data(as_text=True))
    refused = client.post(
        f"/inbox/process/{task.id}", data={"csrf_token": token, "decision": "approve", "comment": "   "}
    )
    assert refused.status_code == 422
    assert "Комментарий обязателен: обоснуйте решение" in refused.get_data(as_text=True)
    counter = client.post(
        f"/inbox/process/{task.id}",
        data={"csrf_token": token, "decision": "counter", "counter_discount": "16", "comment": "Меньше"},
    )
    assert counter.status_code == 422
    assert "Встречная скидка — больше 0 и меньше запрошенной 15 %" in counter.get_data(as_text=True)
    api_token = issue_api_token(session, world.users["head"], "тест")
    session.commit()
    api = app.test_client()
    answer = api.post(
        f"/api/v1/discounts/requests/{request.id}/decision",
        headers={"Authorization": f"Bearer {api_token}"},
        json={"decision": "reject"},
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"]["comment"] == ["Комментарий обязателен: обоснуйте решение"]
    no_counter = api.post(
        f"/api/v1/discounts/requests/{request.id}/decision",
        headers={"Authorization": f"Bearer {api_token}"},
        json={"decision": "counter", "comment": "Меньше"},
    )
    assert no_counter.status_code == 422
    assert no_counter.get_json()["error"]["fields"]["counter_discount"] == ["Укажите встречную скидку, %"]
    session.expire_all()
    assert world.refresh(request).status == "pending"
    assert session.get(HumanTask, task.id).status == "open"
    assert [s.action for s in world.refresh(request).steps] == ["requested", "routed"]


def test_nobody_decides_their_own_request_and_underwriting_cannot_escalate(world, session):
    deal = world.deal(world.client(owner="admin"), owner="admin")
    own = world.ask(deal, "25", user="admin").request  # over 20 %: the underwriters' queue
    with pytest.raises(
        FormValidationError
    ) as refused:  # an admin may complete any task, not their own request
        decide_request(
            session,
            world.engine(),
            world.users["admin"],
            own.id,
            {"decision": "approve", "comment": "Сам себе"},
        )
    session.rollback()
    assert refused.value.errors["_form"] == [
        "Свой запрос скидки согласовать нельзя: решает другой согласующий"
    ]
    with pytest.raises(FormValidationError) as top:
        decide_request(
            session,
            world.engine(),
            world.users["underwriter"],
            own.id,
            {"decision": "escalate", "comment": "Выше"},
        )
    session.rollback()
    assert top.value.errors["decision"] == [
        "Андеррайтинг — последний уровень: согласуйте, отклоните или предложите меньшую скидку"
    ]
    assert world.refresh(own).status == "pending"


def test_two_approvers_deciding_at_once_one_wins_the_other_gets_409(world, session):
    """The senior manager goes on leave with the task in their inbox; the deputy standing in and
    the senior (deciding from the phone on leave) decide it at the same moment: one wins."""
    senior, deputy = world.users["senior"], world.users["head"]
    senior.deputy_id = deputy.id
    session.commit()
    request = world.ask(world.deal(), "8").request
    task = world.task(request)
    assert task.assignee_id == senior.id
    session.add(Absence(user_id=senior.id, starts_on=world.today, ends_on=world.today))
    session.commit()
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}
    # Ids are read here, once: the test's own session must never be touched from two threads
    # (its objects are expired after the commit, and a concurrent reload is refused).
    user_ids = {name: world.users[name].id for name in ("senior", "head")}
    task_id, request_id = task.id, request.id

    def decide(login_name: str, decision: str) -> None:
        with world.factory() as own:
            try:
                user = own.get(type(senior), user_ids[login_name])
                row = own.get(HumanTask, task_id)
                own.refresh(row.instance)
                own.get(DiscountRequest, request_id)
                barrier.wait()
                decide_request(
                    own,
                    world.services.engine(own),
                    user,
                    request_id,
                    {"decision": decision, "comment": f"Решение {login_name}"},
                )
                own.commit()
                outcomes[login_name] = "ok"
            except (ConflictError, DiscountConflict) as exc:
                own.rollback()
                outcomes[login_name] = "conflict: " + exc.message
            except Exception as exc:  # reported by the assertion below, never a hung barrier
                own.rollback()
                outcomes[login_name] = f"error: {exc!r}"

    threads = [
        threading.Thread(target=decide, args=("senior", "approve")),
        threading.Thread(target=decide, args=("head", "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["conflict", "ok"], outcomes
    winner = next(login_name for login_name, v in outcomes.items() if v == "ok")
    request = world.refresh(request)
    assert request.status == ("approved" if winner == "senior" else "rejected")
    decided = session.scalars(
        select(DiscountDecision).where(
            DiscountDecision.request_id == request.id, DiscountDecision.action.in_(("approved", "rejected"))
        )
    )
    assert [d.actor_id for d in decided] == [world.users[winner].id]


def test_a_second_decision_through_the_page_or_the_api_answers_409(world, client, app, session):
    request = world.ask(world.deal(), "15").request
    task = world.task(request)
    login(client, "head")
    token = csrf_from(client.get(f"/inbox/process/{task.id}").get_data(as_text=True))
    first = client.post(
        f"/inbox/process/{task.id}",
        data={"csrf_token": token, "decision": "approve", "comment": "Согласовано"},
    )
    assert first.status_code == 302
    second = client.post(
        f"/inbox/process/{task.id}", data={"csrf_token": token, "decision": "reject", "comment": "Передумал"}
    )
    assert second.status_code == 409
    api_token = issue_api_token(session, world.users["head"], "тест")
    session.commit()
    late = app.test_client().post(
        f"/api/v1/discounts/requests/{request.id}/decision",
        headers={"Authorization": f"Bearer {api_token}"},
        json={"decision": "reject", "comment": "Поздно"},
    )
    assert late.status_code == 409
    assert late.get_json()["error"]["message"] == f"Запрос №{request.id} уже не ждёт решения (согласована)"
    assert world.refresh(request).status == "approved"
