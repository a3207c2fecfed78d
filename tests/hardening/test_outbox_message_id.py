"""Defect 6: every delivery attempt of an outbox row carries the same Message-ID.

Delivery is at-least-once (a worker killed during a slow SMTP answer sends the row again
after its lease); a stable Message-ID lets receivers de-duplicate. Two real sends of one row
to a real SMTP server (aiosmtpd) carry one Message-ID; another row gets another.
"""

from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from integrations.mail.smtp import send_email
from models.platform.outbox import OutboxMessage


class _Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_a_resent_row_keeps_its_message_id(app, session, smtp):
    controller, inbox = smtp
    settings = app.extensions["crm.settings"]
    settings.smtp_url = f"smtp://127.0.0.1:{controller.port}"
    settings.mail_from = "crm@example.ru"
    rows = [OutboxMessage(kind="email", payload={"to": "a@example.ru", "subject": "Счёт", "body": "…"}),
            OutboxMessage(kind="email", payload={"to": "a@example.ru", "subject": "Счёт", "body": "…"})]
    session.add_all(rows)
    session.commit()
    send_email(rows[0], settings)
    send_email(rows[0], settings)  # the same row again, as after a lost lease
    send_email(rows[1], settings)
    ids = [m["Message-ID"] for m in inbox.messages]
    assert ids[0] == ids[1] != ids[2]
    assert ids[0].endswith("@example.ru>") and f"crm-outbox-{rows[0].id}." in ids[0]
