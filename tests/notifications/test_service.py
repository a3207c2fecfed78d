"""notify(): in the app for every recipient, outside copies as each one chose, once per dedupe key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.errors import OperationError
from engine.operations import OperationContext
from models.notifications.service import (
    Notification,
    NotificationError,
    local_time,
    notify,
    preferences,
    send_email,
    set_email_preferences,
    set_preferences,
)
from models.platform.outbox import OutboxMessage


def _outbox(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_recipient_gets_the_notice_in_the_app_and_by_the_channels_they_want(session, clock, demo_users):
    manager, senior = demo_users["manager"], demo_users["senior"]
    set_email_preferences(session, manager.id, set())
    rows = notify(session, [manager.id, senior.id], "mention", "Вас упомянули", "Текст", clock.now(),
                  object_type="deal", object_id=7)
    session.commit()

    assert [(r.user_id, r.kind, r.object_type, r.object_id) for r in rows] == [
        (manager.id, "mention", "deal", 7), (senior.id, "mention", "deal", 7)]
    assert [(r.channels, r.emailed) for r in rows] == [([], False), (["email"], True)]
    [letter] = _outbox(session)
    assert (letter.kind, letter.status) == ("email", "pending")
    assert letter.payload == {"to": senior.email, "subject": "Вас упомянули", "body": "Текст\n\n— CRM",
                              "user_id": senior.id}
    assert letter.dedupe_key == f"notification:{rows[1].id}:email"


def test_repeats_none_inactive_and_already_sent_recipients_are_skipped(session, clock, demo_users):
    manager, senior, head = demo_users["manager"], demo_users["senior"], demo_users["head"]
    head.is_active = False
    first = notify(session, [None, manager.id, manager.id, head.id], "task_overdue", "Просрочено", "",
                   clock.now(), dedupe_key="task:1:overdue")
    again = notify(session, [manager.id, senior.id], "task_overdue", "Просрочено", "", clock.now(),
                   dedupe_key="task:1:overdue")
    session.commit()
    assert [r.user_id for r in first] == [manager.id]
    assert [r.user_id for r in again] == [senior.id]  # the manager had it already
    keys = session.scalars(select(Notification.dedupe_key).order_by(Notification.id)).all()
    assert keys == [f"task:1:overdue:{manager.id}", f"task:1:overdue:{senior.id}"]
    assert len(_outbox(session)) == 2


def test_an_unknown_kind_is_refused(session, clock, demo_users):
    with pytest.raises(NotificationError, match="Неизвестный вид уведомления «nonsense»"):
        notify(session, demo_users["manager"].id, "nonsense", "—", "—", clock.now())


def test_texts_are_written_for_each_reader_with_times_in_their_zone(session, clock, demo_users):
    manager, senior = demo_users["manager"], demo_users["senior"]
    manager.timezone = "Asia/Yekaterinburg"
    due = datetime(2026, 1, 12, 6, 0, tzinfo=UTC)
    rows = notify(session, [manager.id, senior.id], "task_reminder", "Напоминание",
                  lambda user: f"Срок: {local_time(due, user.timezone)}.", clock.now())
    session.commit()
    assert [r.body for r in rows] == ["Срок: 12.01.2026 11:00.", "Срок: 12.01.2026 09:00."]
    assert sorted(m.payload["body"] for m in _outbox(session)) == [
        "Срок: 12.01.2026 09:00.\n\n— CRM", "Срок: 12.01.2026 11:00.\n\n— CRM"]


def test_local_time_falls_back_to_moscow_and_shows_a_dash_for_no_time():
    moment = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)
    assert local_time(moment, "Europe/Moscow") == "02.07.2026 00:30"
    assert local_time(moment, "Nowhere/Atlantis") == "02.07.2026 00:30"
    assert local_time(moment, "UTC") == "01.07.2026 21:30"
    assert local_time(None, "UTC") == "—"


def test_preferences_are_per_kind_and_channel_with_defaults(session, demo_users):
    manager = demo_users["manager"]
    defaults = preferences(session, manager.id)
    # Telegram (integrations/telegram) is a channel too, off until the user chooses it.
    assert defaults["task_assigned"] == {"email": False, "telegram": False}
    assert all(defaults[k] == {"email": True, "telegram": False} for k in (
        "task_reminder", "task_overdue", "task_escalated", "mention", "lead_assigned", "lead_reminder",
        "lead_escalated", "deal_opened", "handover"))
    set_preferences(session, manager.id, {"email": {"task_assigned", "nonsense"}, "pigeon": {"mention"}})
    session.commit()
    chosen = preferences(session, manager.id)
    assert chosen["task_assigned"] == {"email": True, "telegram": False}
    assert chosen["mention"] == {"email": False, "telegram": False}
    assert set(chosen) == set(defaults)


def test_send_email_queues_a_letter_to_any_address_and_refuses_a_malformed_one(session, clock):
    row = send_email(session, "client@example.ru", "Счёт", "Во вложении", clock.now())
    session.commit()
    assert row.kind == "email"
    assert row.payload == {"to": "client@example.ru", "subject": "Счёт", "body": "Во вложении"}
    with pytest.raises(NotificationError, match="Неверный адрес"):
        send_email(session, "не адрес", "—", "—", clock.now())


def test_the_engine_outbox_refuses_email_and_keeps_other_kinds(session, clock):
    context = OperationContext(session=session, clock=clock)
    with pytest.raises(OperationError, match="сервис уведомлений"):
        context.send_later("email", {"to": "a@b.ru"})
    row = context.send_later("edo", {"document_id": 5})
    session.commit()
    assert [(r.kind, r.payload) for r in _outbox(session)] == [("edo", {"document_id": 5})] and row.id
