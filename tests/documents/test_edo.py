"""Acceptance 5: EDO against our Diadoc-format fake — a retried send after a timeout sends once
(operationId), 204 Retry-After waits, statuses come from polled events, a 401 is an incident, not a 500."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from integrations.edo.jobs import poll, send_due
from models.documents.documents import load_version
from models.documents.sending import queue_edo
from models.documents.tables import DocumentSending
from models.notifications.service import Notification
from models.platform.jobs import JobContext
from models.sales.activities import Activity
from web.scheduler import job_context


def _queued(world, fake_edo):
    deal = world.deal()
    fake_edo.counteragents[deal.client.inn] = "box-client@diadoc.ru"
    document = world.generate(deal, "invoice")
    sending = queue_edo(world.session, world.users["backoffice"], document.id, world.clock.now())
    world.session.commit()
    return document, sending


def _sending(world, sending):
    world.session.expire_all()
    return world.session.get(DocumentSending, sending.id)


def test_a_retry_after_a_timeout_sends_once(world, fake_edo, app):
    document, sending = _queued(world, fake_edo)
    context = job_context(app)
    fake_edo.slow_first_post = 1.5  # stored, but the answer comes after the client's 0.5 s timeout
    assert send_due(context) == {"retry": 1}
    assert _sending(world, sending).status == "queued" and "не ответило" in _sending(world, sending).error
    world.clock.advance(timedelta(seconds=31))
    assert send_due(context) == {"duplicate": 1}  # same operationId: the server says it already has it
    assert fake_edo.posts == 2 and len(fake_edo.messages) == 1
    assert fake_edo.keys == [_sending(world, sending).operation_id] * 2  # the key stored with the row
    message = fake_edo.only_message()
    assert message["ToBoxId"] == "box-client@diadoc.ru"
    assert (
        base64.b64decode(message["Entities"][0]["Content"]) == load_version(world.session, document).content
    )
    assert _sending(world, sending).status == "sent"
    assert world.refresh(document).status == "sent"
    world.clock.advance(timedelta(minutes=10))
    assert send_due(context) == {}  # nothing left to send


def test_204_retry_after_puts_the_attempt_off(world, fake_edo, app):
    _document, sending = _queued(world, fake_edo)
    context = job_context(app)
    fake_edo.busy_once = 120
    assert send_due(context) == {"later": 1}
    assert send_due(context) == {}
    world.clock.advance(timedelta(seconds=121))
    assert send_due(context) == {"sent": 1}
    assert len(fake_edo.messages) == 1 and _sending(world, sending).message_id


def test_statuses_come_back_from_polled_events(world, fake_edo, app):
    document, sending = _queued(world, fake_edo)
    context = job_context(app)
    send_due(context)
    message = fake_edo.only_message()
    fake_edo.deliver(message)
    assert poll(context) == 1
    assert world.refresh(document).status == "delivered"
    assert poll(context) == 0  # the cursor moved: an event is applied once
    fake_edo.sign(message)
    assert poll(context) == 1
    document = world.refresh(document)
    assert document.status == "signed" and _sending(world, sending).status == "signed"
    subjects = world.session.scalars(
        select(Activity.subject).where(Activity.deal_id == document.deal_id)
    ).all()
    assert any("подписан клиентом" in s for s in subjects)
    titles = world.session.scalars(
        select(Notification.title).where(
            Notification.user_id == world.users["backoffice"].id, Notification.kind == "document_status"
        )
    ).all()
    assert any("подписан клиентом" in t for t in titles)


def test_a_rejection_comes_back(world, fake_edo, app):
    document, _sending_row = _queued(world, fake_edo)
    context = job_context(app)
    send_due(context)
    fake_edo.reject(fake_edo.only_message())
    poll(context)
    document = world.refresh(document)
    assert document.status == "client_rejected"
    assert any("Не согласны с суммой" in e.text for e in document.events)


def test_401_opens_an_incident_not_a_500(world, fake_edo, app):
    _document, sending = _queued(world, fake_edo)
    base = job_context(app)
    context = JobContext(
        base.session_factory, base.clock, replace(base.settings, edo_token="wrong"), base.registry
    )
    assert send_due(context) == {"incident": 1}
    row = _sending(world, sending)
    assert row.status == "incident" and "401" in row.error
    admins = world.session.scalars(
        select(Notification.title).where(Notification.user_id == world.users["admin"].id)
    ).all()
    assert any("Инцидент ЭДО" in t for t in admins)
    assert poll(context) == 0  # polling with a bad token logs and moves on
    assert fake_edo.messages == {}
