"""Acceptance 4 against a fake Bot API: a discount approved with a Telegram button records the same
decision, approver and audit as one approved in the browser; a tap by an unlinked account does
nothing; the webhook's secret token is checked; linking is by a one-time code; notifications the
user chose for Telegram go there through the one notify()."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from engine.bundle import Bundle
from engine.tables import ProcessEvent
from integrations.telegram.prompts import prompts_job
from models.discounts.requests import DiscountDecision, DiscountRequest
from models.notifications.messengers import TelegramLink
from models.notifications.service import notify, set_preferences
from models.platform.audit import AuditLog
from models.platform.outbox import OutboxMessage
from models.sales.funnels import ensure_default_funnels
from tests.conftest import csrf_from, login
from tests.discounts.conftest import FORMS, PROCESSES, SignoffWorld
from tests.integrations.conftest import deliver
from tests.integrations.http_fake import FakeServer
from web.engine_support import engine_services
from web.scheduler import job_context

TOKEN, SECRET = "123456:TEST-TOKEN", "hook-secret"
SENIOR_CHAT = 5001


@pytest.fixture
def bot_api():
    sent = []

    def handle(seen):
        method = seen.path.rsplit("/", 1)[-1]
        if not seen.path.startswith(f"/bot{TOKEN}/"):
            return (
                401,
                {"Content-Type": "application/json"},
                b'{"ok":false,"error_code":401,"description":"Unauthorized"}',
            )
        params = json.loads(seen.body or b"{}")
        sent.append((method, params))
        result = {
            "message_id": 700 + len(sent),
            "chat": {"id": params.get("chat_id")},
            "text": params.get("text"),
        }
        if method == "getMe":
            result = {"id": 1, "is_bot": True, "username": "crm_test_bot"}
        return 200, {"Content-Type": "application/json"}, json.dumps({"ok": True, "result": result}).encode()

    with FakeServer(handle) as server:
        server.sent = sent
        yield server


@pytest.fixture
def settings_overrides(bot_api):
    return {
        "forms_dir": FORMS,
        "processes_dir": PROCESSES,
        "base_url": "https://crm.example.ru",
        "telegram_api_url": bot_api.url,
        "telegram_token": TOKEN,
        "telegram_secret": SECRET,
    }


@pytest.fixture
def world(app, session, engine, clock, demo_users) -> SignoffWorld:
    ensure_default_funnels(session)
    world = SignoffWorld(session, clock, engine, demo_users, engine_services(app))
    world.engine().deploy(Bundle.from_paths([PROCESSES], FORMS))
    session.commit()
    return world


_updates = iter(range(1, 10_000))


def _hook(app, update, secret=SECRET):
    update = {"update_id": next(_updates), **update}
    return app.test_client().post(
        "/hooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    )


def _message(chat_id, text):
    return {
        "message": {
            "message_id": 1,
            "date": 0,
            "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ольга", "username": "olga"},
        }
    }


def _tap(chat_id, data, message_id=701):
    return {
        "callback_query": {
            "id": f"cb{chat_id}{data}",
            "data": data,
            "from": {"id": chat_id, "is_bot": False},
            "message": {"message_id": message_id, "chat": {"id": chat_id, "type": "private"}},
        }
    }


def _link(app, client, login_name, chat_id):
    login(client, login_name)
    page = client.get("/integrations/telegram").get_data(as_text=True)
    code_page = client.post("/integrations/telegram/code", data={"csrf_token": csrf_from(page)})
    code = code_page.get_data(as_text=True).split("/start ")[1].split("<")[0].strip()
    assert _hook(app, _message(chat_id, f"/start {code}")).status_code == 200
    return code


def _footprint(session, request):
    """What a decision leaves behind: status, approver, sign-off steps, audit rows and process events."""
    session.expire_all()
    request = session.get(DiscountRequest, request.id)
    steps = [
        (s.action, s.level, s.actor_id, s.comment)
        for s in session.scalars(
            select(DiscountDecision)
            .where(DiscountDecision.request_id == request.id)
            .order_by(DiscountDecision.id)
        )
    ]
    audit = sorted(
        {
            (a.field, a.action, a.user_id)
            for a in session.scalars(
                select(AuditLog).where(
                    AuditLog.entity_type == "discount_request",
                    AuditLog.entity_id == str(request.id),
                    AuditLog.action == "update",
                )
            )
        }
    )
    events = [
        (e.element_id, e.kind, e.user_id)
        for e in session.scalars(
            select(ProcessEvent)
            .where(ProcessEvent.instance_id == request.instance_id)
            .order_by(ProcessEvent.id)
        )
    ]
    return (request.status, request.approved_pct, request.approved_by_id), steps, audit, events


def test_approval_from_a_telegram_button_equals_the_browser(app, client, session, world, bot_api):
    senior = world.users["senior"]
    by_browser = world.ask(world.deal(), "8").request
    by_button = world.ask(world.deal(), "8").request

    login(client, "senior")
    task = world.task(by_browser)
    page = client.get(f"/inbox/process/{task.id}").get_data(as_text=True)
    done = client.post(
        f"/inbox/process/{task.id}",
        data={"decision": "approve", "comment": "Клиент лояльный", "csrf_token": csrf_from(page)},
    )
    assert done.status_code in (302, 303), done.get_data(as_text=True)

    _link(app, app.test_client(), "senior", SENIOR_CHAT)
    assert session.get(TelegramLink, senior.id).chat_id == SENIOR_CHAT
    assert prompts_job(job_context(app)) == 1
    assert prompts_job(job_context(app)) == 0  # once per task
    deliver(app, world.clock)
    prompt = next(p for m, p in bot_api.sent if m == "sendMessage" and "reply_markup" in p)
    buttons = prompt["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in buttons[0]] == ["Согласовать", "Отклонить"]
    assert buttons[1][0]["url"] == f"https://crm.example.ru/inbox/process/{world.task(by_button).id}"
    assert "8 %" in prompt["text"]

    tap = _hook(app, _tap(SENIOR_CHAT, buttons[0][0]["callback_data"]))
    assert tap.get_json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": tap.get_json()["callback_query_id"],
        "text": "Напишите комментарий",
    }
    assert world.refresh(by_button).status == "pending"  # the sign-off requires a comment first
    assert _hook(app, _message(SENIOR_CHAT, "Клиент лояльный")).status_code == 200
    deliver(app, world.clock)
    edited = [p for m, p in bot_api.sent if m == "editMessageText"]
    assert len(edited) == 1 and "Согласовано" in edited[0]["text"] and senior.full_name in edited[0]["text"]

    browser, button = _footprint(session, by_browser), _footprint(session, by_button)
    assert browser[0] == button[0] == ("approved", browser[0][1], senior.id)
    assert [s[:3] for s in browser[1]] == [s[:3] for s in button[1]]
    assert browser[1][-1][2:] == button[1][-1][2:] == (senior.id, "Клиент лояльный")
    assert browser[2] == button[2] and any(user == senior.id for _, _, user in button[2])
    assert [e for e in browser[3] if e[2] == senior.id] and [e[1:] for e in browser[3]] == [
        e[1:] for e in button[3]
    ]

    again = _hook(app, _tap(SENIOR_CHAT, buttons[0][0]["callback_data"]))
    assert again.get_json()["text"] == "Уже решено"


def test_a_tap_by_an_unlinked_account_does_nothing(app, session, world, bot_api):
    request = world.ask(world.deal(), "8").request
    _link(app, app.test_client(), "senior", SENIOR_CHAT)
    prompts_job(job_context(app))
    deliver(app, world.clock)
    data = next(p for m, p in bot_api.sent if "reply_markup" in p)["reply_markup"]["inline_keyboard"][0][0]
    outbox_before = session.scalar(select(func.count(OutboxMessage.id)))
    answer = _hook(app, _tap(777, data["callback_data"]))
    assert "не привязан" in answer.get_json()["text"]
    _hook(app, _message(777, "Согласовано"))  # a stranger's text is no comment either
    assert world.refresh(request).status == "pending"
    assert (
        session.scalar(
            select(func.count(DiscountDecision.id)).where(
                DiscountDecision.request_id == request.id, DiscountDecision.action == "approved"
            )
        )
        == 0
    )
    assert (
        session.scalar(select(func.count(OutboxMessage.id))) == outbox_before + 1
    )  # only the bot's help text


def test_webhook_needs_the_secret_token_and_counts_an_update_once(app, client, session, world, bot_api):
    assert _hook(app, _message(SENIOR_CHAT, "/start X"), secret=None).status_code == 403
    assert _hook(app, _message(SENIOR_CHAT, "/start X"), secret="guess").status_code == 403
    update = {"update_id": 424242, **_message(SENIOR_CHAT, "привет")}
    for _ in range(2):
        app.test_client().post(
            "/hooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
    assert session.scalar(select(func.count(OutboxMessage.id))) == 1
    login(client, "admin")
    page = client.get("/integrations/admin/telegram").get_data(as_text=True)
    assert "Неверный секретный токен" in page
    checked = client.post(
        "/integrations/admin/telegram/check", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "@crm_test_bot" in checked.get_data(as_text=True)


def test_chosen_notifications_go_to_telegram_through_notify(app, session, world, bot_api):
    manager = world.users["manager"]
    _link(app, app.test_client(), "manager", 6001)
    set_preferences(session, manager.id, {"telegram": {"task_assigned"}})
    notify(session, manager.id, "task_assigned", "Новая задача", "Позвонить клиенту", world.clock.now())
    session.commit()
    deliver(app, world.clock)
    assert ("sendMessage", {"chat_id": 6001, "text": "Новая задача\n\nПозвонить клиенту"}) in [
        (m, {k: v for k, v in p.items() if k != "reply_markup"}) for m, p in bot_api.sent
    ]
