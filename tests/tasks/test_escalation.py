"""Acceptance 2: reminders, overdue notices and escalation fire once, e-mail goes through real SMTP.

Run against the scheduler (``run_jobs_once``) with the controllable clock, by two scheduler
"processes" (two apps on the same database, ticking at the same time from two threads).
"""

from __future__ import annotations

import threading
from datetime import timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from engine.tables import HumanTask
from models.notifications.service import Notification, set_email_preferences
from models.platform.db import db
from models.platform.outbox import OutboxMessage
from models.tasks.adhoc import Task, TaskInput, create_task
from tests.tasks.conftest import GRACE, _Collector, start_callback
from web import create_app
from web.scheduler import run_jobs_once


def _tick_twice_at_once(first, second) -> None:
    """Both schedulers run every job at the same moment."""
    threads = [threading.Thread(target=run_jobs_once, args=(a,)) for a in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _second_scheduler(app, clock):
    return create_app(app.extensions["crm.settings"], clock=clock)


def _notes(session, kind: str) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(Notification.kind == kind)))


def _mails(smtp_server, subject_start: str, to: str) -> list:
    return [
        m for m in smtp_server.collector.messages if m["Subject"].startswith(subject_start) and m["To"] == to
    ]


def _run(app, other, clock, minutes: float) -> None:
    clock.advance(timedelta(minutes=minutes))
    _tick_twice_at_once(app, other)
    _tick_twice_at_once(app, other)  # the outbox of the first tick may lose the race for rows


def test_process_task_due_in_one_minute_overdue_once_then_escalated_once(
    app, session, clock, demo_users, deployed, smtp_server
):
    other = _second_scheduler(app, clock)
    task = start_callback(app, session, clock, assignee="manager", due_in="PT1M")
    manager, senior = demo_users["manager"], demo_users["senior"]

    _run(app, other, clock, 0.5)
    assert _notes(session, "task_overdue") == []

    _run(app, other, clock, 0.6)  # 1 min 6 s after start: overdue
    [overdue] = _notes(session, "task_overdue")
    assert overdue.user_id == manager.id and overdue.object_id == task.id
    assert len(_mails(smtp_server, "Просрочена задача", manager.email)) == 1
    assert _notes(session, "task_escalated") == []

    _run(app, other, clock, GRACE.total_seconds() / 60 - 5)  # not yet past the grace period
    assert _notes(session, "task_escalated") == []

    for _ in range(3):
        _run(app, other, clock, 5)
    [escalation] = _notes(session, "task_escalated")
    assert escalation.user_id == senior.id  # the assignee's manager
    assert len(_mails(smtp_server, "Эскалация", senior.email)) == 1
    assert len(_mails(smtp_server, "Просрочена задача", manager.email)) == 1
    assert len(_notes(session, "task_reminder")) == 1
    assert session.get(HumanTask, task.id).escalated_at is not None
    with app.app_context():
        db.session.remove()
    with other.app_context():
        db.engine.dispose()


def test_ad_hoc_task_due_in_one_minute_overdue_once_then_escalated_once(
    app, session, clock, demo_users, smtp_server
):
    other = _second_scheduler(app, clock)
    manager, senior = demo_users["manager"], demo_users["senior"]
    task = create_task(
        session,
        TaskInput(
            title="Отправить счёт",
            assignee_id=manager.id,
            due_at=clock.now() + timedelta(minutes=1),
            remind_at=clock.now() + timedelta(seconds=30),
        ),
        senior,
        clock.now(),
        GRACE,
    )
    session.commit()

    _run(app, other, clock, 0.75)
    assert len(_notes(session, "task_reminder")) == 1
    assert _notes(session, "task_overdue") == []

    _run(app, other, clock, 0.5)
    [overdue] = _notes(session, "task_overdue")
    assert (overdue.user_id, overdue.object_type, overdue.object_id) == (manager.id, "task", task.id)
    assert len(_mails(smtp_server, "Просрочена задача", manager.email)) == 1

    for _ in range(8):
        _run(app, other, clock, 5)
    [escalation] = _notes(session, "task_escalated")
    assert escalation.user_id == senior.id
    assert len(_mails(smtp_server, "Эскалация", senior.email)) == 1
    assert len(_mails(smtp_server, "Просрочена задача", manager.email)) == 1
    session.expire_all()
    stored = session.get(Task, task.id)
    assert stored.escalated_at is not None and stored.next_alert_at is None
    with other.app_context():
        db.engine.dispose()


def test_mail_is_retried_while_smtp_is_down_and_sent_once_when_it_is_back(
    app, session, clock, demo_users, smtp_port
):
    manager = demo_users["manager"]
    create_task(
        session,
        TaskInput(
            title="Проверить договор", assignee_id=manager.id, due_at=clock.now() + timedelta(minutes=1)
        ),
        None,
        clock.now(),
        GRACE,
    )
    session.commit()
    clock.advance(timedelta(minutes=2))
    run_jobs_once(app)
    run_jobs_once(app)
    session.expire_all()
    [row] = session.scalars(
        select(OutboxMessage).where(OutboxMessage.payload["subject"].as_string().like("Просрочена%"))
    ).all()
    assert (row.status, row.attempts) == ("pending", 1) and row.last_error

    collector = _Collector()
    server = Controller(collector, hostname="127.0.0.1", port=smtp_port)
    server.start()
    try:
        clock.advance(timedelta(minutes=1))
        for _ in range(3):
            run_jobs_once(app)
        assert [m["Subject"] for m in collector.messages] == ["Просрочена задача: Проверить договор"]
    finally:
        server.stop()
    session.expire_all()
    assert session.get(OutboxMessage, row.id).status == "sent"


def test_users_choose_which_kinds_come_by_email(app, session, clock, demo_users, smtp_server):
    manager = demo_users["manager"]
    set_email_preferences(session, manager.id, {"task_escalated"})
    create_task(
        session,
        TaskInput(title="Без письма", assignee_id=manager.id, due_at=clock.now() + timedelta(minutes=1)),
        None,
        clock.now(),
        GRACE,
    )
    session.commit()
    clock.advance(timedelta(minutes=2))
    run_jobs_once(app)
    run_jobs_once(app)
    [note] = _notes(session, "task_overdue")
    assert note.emailed is False
    assert smtp_server.collector.messages == []
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0
