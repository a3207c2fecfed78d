"""The outbox: e-mail queued by a process step is sent after commit, retried, never twice.

A real SMTP server (aiosmtpd) listens on 127.0.0.1 for these tests.
"""

import socket
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from models.platform.outbox import OutboxMessage, deliver_due
from web.scheduler import run_jobs_once


class _Inbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SMTP_PORT = _free_port()


@pytest.fixture
def settings_overrides():
    return {"smtp_url": f"smtp://127.0.0.1:{SMTP_PORT}", "mail_from": "crm@test.local"}


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield inbox
    controller.stop()


def test_mail_is_sent_after_commit_exactly_once(app, harness, session, smtp):
    harness.deploy("service_task.bpmn")
    instance = harness.start("service_task", {"base": "100", "rate": "0.5", "email": "Client@Example.ru"})
    assert instance.status == "completed"
    assert smtp.messages == []  # nothing leaves during the step
    results = run_jobs_once(app)
    assert results["outbox"] == 1
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["Client@Example.ru"]
    body = envelope.content.decode()
    assert "Subject: =?utf-8?" in body or "Премия рассчитана" in body
    assert "crm-outbox-" in body  # the outbox id is the Message-ID: a resend is recognisable
    assert run_jobs_once(app)["outbox"] == 0
    assert len(smtp.messages) == 1
    row = session.scalars(select(OutboxMessage)).one()
    assert row.status == "sent" and row.attempts == 1


def test_mail_waits_while_the_server_is_down_and_goes_out_later(app, harness, session, clock):
    harness.deploy("service_task.bpmn")
    harness.start("service_task", {"base": "100", "rate": "0.5", "email": "client@example.ru"})
    factory = app.extensions["crm.session_factory"]
    settings = app.extensions["crm.settings"]
    assert deliver_due(factory, clock, settings) == 0  # no server listening yet
    row = session.scalars(select(OutboxMessage)).one()
    assert row.status == "pending" and row.attempts == 1 and row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        assert deliver_due(factory, clock, settings) == 0  # back-off not over
        clock.advance(timedelta(seconds=31))
        assert deliver_due(factory, clock, settings) == 1
        assert deliver_due(factory, clock, settings) == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    session.expire_all()
    assert session.scalars(select(OutboxMessage)).one().status == "sent"


def test_two_workers_send_each_mail_once(app, harness, session, smtp, clock):
    harness.deploy("service_task.bpmn")
    for i in range(20):
        harness.engine().start("service_task", {"base": "1", "rate": "1", "email": f"c{i}@example.ru"})
    session.commit()
    factory = app.extensions["crm.session_factory"]
    settings = app.extensions["crm.settings"]
    threads = [threading.Thread(target=deliver_due, args=(factory, clock, settings)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    recipients = sorted(r for m in smtp.messages for r in m.rcpt_tos)
    assert recipients == sorted(f"c{i}@example.ru" for i in range(20))
