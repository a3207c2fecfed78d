"""The home page per role without any work in the database: every role gets its own sections with
friendly empty states and a next step, never an empty page or an error."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login

EMPTY_HOMES = {
    "manager": ("Мой день", {"tasks", "deals", "leads", "calls", "offers"}),
    "backoffice": ("Очереди бэк-офиса", {"checks", "mine", "prepare", "requests_requisites"}),
    "lawyer": ("Документы на проверке", {"documents", "requests_contract_review"}),
    "underwriter": ("Андеррайтинг", {"requests_tariff", "discounts"}),
    "product": ("Продукты и процессы", {"requests_product_question", "feedback", "examples"}),
    "analyst": ("Аналитика", {"processes", "reports", "requests_data_request"}),
    "admin": ("Состояние системы", {"incidents", "outbox", "scheduler", "deploys"}),
}


@pytest.mark.parametrize("who", sorted(EMPTY_HOMES))
def test_each_role_home_has_its_sections_and_friendly_empty_states(client, demo_users, who):
    heading, sections = EMPTY_HOMES[who]
    login(client, who)
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f">{heading}</h1>" in html and 'id="next-step"' in html
    assert set(re.findall(r'data-section="(\w+)"', html)) == sections
    assert "data-empty" in html  # nothing to do is said in words, not with a blank card


@pytest.mark.parametrize("who", ["head", "senior"])
def test_head_home_is_the_dashboard_with_approvals_above_it(client, demo_users, who):
    login(client, who)
    html = client.get("/").get_data(as_text=True)
    # the page starts with its own heading, like every home; the dashboard's title is a section below
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == ["Команда сегодня"]
    assert html.index("<h1") < html.index('id="next-step"') < html.index('data-section="discounts"')
    assert html.index('data-section="discounts"') < html.index("Дашборд отдела продаж")
    assert "Запросов на скидку нет." in html and "Документов на согласовании нет." in html


def test_favicon_is_public(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer.headers["Location"].endswith("/static/favicon.svg")


def test_admin_home_lists_failing_deliveries_and_the_delivery_lag(client, demo_users, session, clock):
    from datetime import timedelta

    from models.platform.outbox import OutboxMessage

    now = clock.now()
    session.add_all(
        [
            OutboxMessage(
                kind="email",
                payload={},
                status="failed",
                attempts=5,
                last_error="SMTP 550: ящик не найден",
                created_at=now,
                next_attempt_at=now,
            ),
            OutboxMessage(
                kind="email",
                payload={},
                status="pending",
                created_at=now - timedelta(hours=2),
                next_attempt_at=now - timedelta(hours=2),
            ),
        ]
    )
    session.commit()
    login(client, "admin")
    html = client.get("/").get_data(as_text=True)
    assert "SMTP 550: ящик не найден" in html and "попыток: 5" in html
    assert "Письмо: SMTP 550" in html and "email:" not in html  # the kind in Russian, never its code
    assert "Доставка отстаёт на 2 ч" in html and "2 ч 0 мин" not in html
    assert "Начните с раздела «Исходящие с ошибками»" in html
