"""The discount pages: the approver's queue, the task page's context panel, the request, the deal block,
the one-tap link from the e-mail, recall and answer from the card, the log; and who may see what."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from engine.tables import ProcessInstance
from models.discounts.requests import DiscountRequest
from models.insurance.policies import Policy
from tests.conftest import csrf_from
from tests.conftest import login as login_form

D = Decimal


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def login(client, login_name: str):
    """Log ``client`` in as ``login_name`` (logging out whoever was in first)."""
    if client.get("/login").status_code == 302:
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/inbox/").get_data(as_text=True))})
    return login_form(client, login_name)


def test_the_queue_shows_what_waits_for_me_with_amounts_and_waiting_time(world, client):
    deal = world.deal()
    request = world.ask(deal, "15").request
    world.clock.advance(timedelta(hours=3, minutes=20))
    login(client, "head")
    page = client.get("/discounts/")
    assert page.status_code == 200
    text = _text(page)
    assert "Согласование скидок" in text and "Ждут моего решения 1" in text
    assert "15 %" in text and "150 000,00 ₽" in text and "1 000 000,00 ₽ → 850 000,00 ₽" in text
    assert "Руководитель отдела" in text and "3 ч 20 мин" in text
    task = world.task(request)
    assert f'href="/inbox/process/{task.id}"' in page.get_data(as_text=True)
    login(client, "senior")  # not the approver, but oversees: sees it among all open requests
    text = _text(client.get("/discounts/"))
    assert "Ждут моего решения 0" in text and "Все открытые запросы" in text and deal.title in text


def test_the_task_page_shows_loss_ratio_ltv_competitors_margin_and_history(world, client, session):
    client_card = world.client(loss_ratio=40, inn="7707083893")
    deal = world.deal(
        client_card, competitors=[{"who": "РЕСО-Гарантия", "price": "800000", "conditions": "без франшизы"}]
    )
    earlier = world.ask(world.deal(), "5").request
    world.decide(earlier, "senior", "approve", "Ок")
    request = world.ask(deal, "15").request
    task = world.task(request)
    login(client, "head")
    page = client.get(f"/inbox/process/{task.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = _text(page)
    assert 'id="discount-context"' in html and 'id="task-form"' in html
    assert html.index('id="discount-context"') < html.index('id="task-form"')  # the context above the form
    assert "Премии и убытки клиента за 3 года" in text
    assert "1 000 000,00 ₽" in text and "400 000,00 ₽" in text and "40 %" in text
    assert "Потенциал LTV" in text and "Премия действующих полисов: 1 000 000,00 ₽" in text
    assert "Кросс-продажи" in text and "ДМС" in text
    assert "РЕСО-Гарантия" in text and "800 000,00 ₽" in text
    assert "Комиссия брокера 12 %: 120 000,00 ₽ → 102 000,00 ₽ (−18 000,00 ₽)" in text
    assert "Убыточность по продукту: 40 % → 47,1 % после скидки" in text
    assert "Нужен руководитель отдела: скидка 15 % > 10 % лимита старшего менеджера" in text
    assert "Прежние запросы менеджера" in text and "Доля согласованных: 100 % (1 из 1)" in text
    assert "Согласовать" in text and "Встречное предложение — меньшая скидка" in text
    for code in ("approve", "to_underwriting", "senior_manager", "r_above_senior", "None"):
        assert code not in text


def test_the_link_in_the_e_mail_opens_the_task_and_acts_on_nothing(world, client, app, session):
    request = world.ask(world.deal(), "15").request
    task = world.task(request)
    anonymous = app.test_client()
    away = anonymous.get(f"/discounts/requests/{request.id}/task")
    assert away.status_code == 302 and "/login" in away.headers["Location"]
    login(client, "head")
    opened = client.get(f"/discounts/requests/{request.id}/task")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/inbox/process/{task.id}")
    assert world.refresh(request).status == "pending" and world.task(request).id == task.id
    login(client, "senior")  # nothing waits for the senior manager: the request's history instead
    other = client.get(f"/discounts/requests/{request.id}/task")
    assert other.headers["Location"].endswith(f"/discounts/requests/{request.id}")
    note = client.get("/inbox/notifications")
    assert note.status_code == 200


def test_the_deal_card_asks_shows_the_route_and_answers_a_counter_offer(world, client, session):
    deal = world.deal()
    login(client, "manager")
    card = client.get(f"/deals/{deal.id}")
    assert card.status_code == 200 and "Запросить скидку" in card.get_data(as_text=True)
    token = csrf_from(card.get_data(as_text=True))
    sent = client.post(
        f"/discounts/deals/{deal.id}/requests",
        data={
            "csrf_token": token,
            "product": "КАСКО",
            "discount": "15",
            "discount_unit": "pct",
            "justification": "Клиенту предложили дешевле",
            "competitor_who": "Согласие",
            "competitor_price": "870 000",
            "competitor_conditions": "франшиза 15 000 ₽",
        },
    )
    assert sent.status_code == 302
    text = _text(client.get(f"/deals/{deal.id}"))
    assert "Нужен руководитель отдела: скидка 15 % > 10 % лимита старшего менеджера" in text
    assert "ждёт: Виктор Андреевич Орлов" in text
    request = session.scalar(select(DiscountRequest).where(DiscountRequest.deal_id == deal.id))
    assert request.competitor == {"who": "Согласие", "price": "870000.00", "conditions": "франшиза 15 000 ₽"}
    world.decide(request, "head", "counter", "Дам 12 %", counter=12)
    card = client.get(f"/deals/{deal.id}")
    assert "Встречное предложение 12 %" in _text(card)
    answered = client.post(
        f"/discounts/requests/{request.id}/answer",
        data={"csrf_token": token, "answer": "accept", "answer_comment": "Клиент согласен"},
    )
    assert answered.status_code == 302
    text = _text(client.get(f"/deals/{deal.id}"))
    assert "Согласованные скидки" in text and "КАСКО 12 % Виктор Андреевич Орлов" in text
    assert "Запрошенная скидка 12 %" in text


def test_recall_from_the_request_page_and_a_late_recall_answers_409(world, client, session):
    request = world.ask(world.deal(), "15").request
    login(client, "manager")
    page = client.get(f"/discounts/requests/{request.id}")
    assert page.status_code == 200 and "Отозвать запрос" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    done = client.post(
        f"/discounts/requests/{request.id}/recall", data={"csrf_token": token, "reason": "Не нужно"}
    )
    assert done.status_code == 302
    assert world.refresh(request).status == "recalled"
    again = client.post(f"/discounts/requests/{request.id}/recall", data={"csrf_token": token})
    assert again.status_code == 409
    assert "уже не на согласовании (отозвана)" in again.get_data(as_text=True)


def test_requests_are_private_to_those_involved(world, client, session):
    request = world.ask(world.deal(), "8").request
    login(client, "manager3")  # another manager: not theirs, not their deal
    assert client.get(f"/discounts/requests/{request.id}").status_code == 403
    assert client.get(f"/discounts/requests/{request.id}/task").status_code == 403
    token = csrf_from(client.get("/discounts/").get_data(as_text=True))
    assert (
        client.post(f"/discounts/requests/{request.id}/recall", data={"csrf_token": token}).status_code == 403
    )
    assert world.refresh(request).status == "pending"
    login(client, "underwriter")  # underwriting sees every request (the sign-off reaches it)
    assert client.get(f"/discounts/requests/{request.id}").status_code == 200


def test_the_log_per_manager_requested_vs_approved_and_rate(world, client, session):
    approved = world.ask(world.deal(), "8").request
    world.decide(approved, "senior", "approve", "Ок")
    rejected = world.ask(world.deal(), "6").request
    world.decide(rejected, "senior", "reject", "Нет")
    countered = world.ask(world.deal(), "15").request
    world.decide(countered, "head", "counter", "Меньше", counter=10)
    world.ask(world.deal(owner="manager2"), "5", user="manager2")
    login(client, "head")
    page = client.get("/discounts/log")
    assert page.status_code == 200
    text = _text(page)
    row = re.search(r"Иван Сергеевич Петров ([^А-Я]+)", text).group(1).split()
    # requested 3, approved 1, rejected 1, declined 0, recalled 0, open 1, rate 50 %;
    # average asked 9,67 %, average approved 8 %
    assert row[:8] == ["3", "1", "1", "0", "0", "1", "50", "%"]
    assert "9,67 %" in text and "8 %" in text and "80 000,00 ₽" in text
    login(client, "manager2")
    mine = _text(client.get("/discounts/log"))
    assert "Мария Александровна Смирнова" in mine and "Иван Сергеевич Петров" not in mine


def test_insurance_history_page_and_nothing_written_by_reading(world, client, session):
    client_card = world.client(loss_ratio=40)
    login(client, "manager")
    before = session.scalar(select(func.count(ProcessInstance.id)))
    page = client.get(f"/insurance/clients/{client_card.id}")
    assert page.status_code == 200
    text = _text(page)
    assert "Полисы и убытки" in text and "КАСКО" in text and "40 %" in text and "Действует" in text
    assert session.scalar(select(func.count(ProcessInstance.id))) == before
    assert session.scalar(select(func.count(Policy.id))) == 1
    login(client, "manager3")
    assert client.get(f"/insurance/clients/{client_card.id}").status_code == 403
