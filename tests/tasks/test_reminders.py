"""Reminders of ad-hoc and process tasks are one notice, written by one function, in the reader's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine.tables import HumanTask
from models.clients.cards import Client
from models.notifications.service import Notification
from models.platform.outbox import OutboxMessage
from models.tasks.adhoc import TaskInput, create_task
from tests.tasks.conftest import GRACE, start_callback
from web.scheduler import run_jobs_once

REMINDER_BODY = re.compile(r"Не забудьте про задачу «(?P<title>[^»]+)»(?: \((?P<about>.+)\))?\. "
                           r"Срок: (?P<due>\d\d\.\d\d\.\d{4} \d\d:\d\d)\.")


def _reminders(session) -> dict[str, Notification]:
    session.expire_all()
    rows = session.scalars(select(Notification).where(Notification.title.like("Напоминание%"))).all()
    return {row.object_type: row for row in rows}


def test_an_ad_hoc_and_a_process_task_reminder_are_the_same_notice_in_the_readers_zone(
    app, session, clock, demo_users, deployed
):
    manager = demo_users["manager"]
    manager.timezone = "Asia/Novosibirsk"  # UTC+7: the due time must be shown in it, not in UTC
    romashka = Client(full_name="ООО «Ромашка»", owner=manager)
    session.add(romashka)
    session.commit()
    clock.set(datetime(2026, 1, 12, 6, 0, tzinfo=UTC))
    create_task(
        session,
        TaskInput(title="Отправить счёт", assignee_id=manager.id, business_type="client",
                  business_id=romashka.id, due_at=clock.now() + timedelta(hours=1),
                  remind_at=clock.now() + timedelta(minutes=45)),
        demo_users["senior"], clock.now(), GRACE,
    )
    session.commit()
    process_task = start_callback(app, session, clock, assignee="manager", due_in="PT1H",
                                  client_id=romashka.id)

    clock.advance(timedelta(minutes=46))
    run_jobs_once(app)

    reminders = _reminders(session)
    assert set(reminders) == {"task", "human_task"}
    adhoc, process = reminders["task"], reminders["human_task"]
    assert process.object_id == process_task.id
    assert {adhoc.kind, process.kind} == {"task_reminder"}
    assert (adhoc.title, process.title) == ("Напоминание: Отправить счёт", "Напоминание: Перезвонить клиенту")
    shapes = [REMINDER_BODY.fullmatch(note.body) for note in (adhoc, process)]
    assert all(shapes), [note.body for note in (adhoc, process)]
    assert [m["title"] for m in shapes] == ["Отправить счёт", "Перезвонить клиенту"]
    assert [m["about"] for m in shapes] == ["ООО «Ромашка»", "ООО «Ромашка»"]
    assert [m["due"] for m in shapes] == ["12.01.2026 14:00", "12.01.2026 14:00"]  # 07:00 UTC in Novosibirsk
    assert all(note.user_id == manager.id and note.emailed for note in (adhoc, process))
    letters = sorted(m.payload["body"] for m in session.scalars(select(OutboxMessage)))
    assert letters == sorted(f"{note.body}\n\n— CRM" for note in (adhoc, process))
    assert session.get(HumanTask, process_task.id).reminded_at == clock.now()

    clock.advance(timedelta(minutes=1))
    run_jobs_once(app)
    session.expire_all()
    count = select(func.count(Notification.id)).where(Notification.title.like("Напоминание%"))
    assert session.scalar(count) == 2  # nothing is sent twice
