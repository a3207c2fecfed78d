"""Outbound webhooks: an admin subscribes a URL; an event (a lead from the site form) is delivered
signed with HMAC-SHA256 and a timestamp through the outbox, retried with back-off, logged with the
answer, redelivered by hand; loopback and private addresses are refused unless the admin allows them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from integrations.webhooks.tables import WebhookDelivery, WebhookSubscription
from models.platform.outbox import OutboxMessage
from tests.conftest import csrf_from, login
from tests.integrations.conftest import deliver
from tests.integrations.http_fake import FakeServer

LEAD = {
    "consent": True,
    "name": "Иван Петров",
    "company": "ООО «Ромашка»",
    "phone": "+7 495 123-45-67",
    "email": "ivan@romashka.ru",
    "comment": "Нужна страховка",
}


@pytest.fixture
def receiver():
    answers: list[tuple[int, dict, bytes]] = []

    def handle(seen):
        return answers.pop(0) if answers else (200, {"Content-Type": "text/plain"}, b"accepted")

    with FakeServer(handle) as server:
        server.answers = answers
        yield server


def _subscribe(client, url, events=("lead.created",), allow_private=True):
    page = client.get("/integrations/admin/webhooks")
    data = {"url": url, "events": list(events), "csrf_token": csrf_from(page.get_data(as_text=True))}
    if allow_private:
        data["allow_private"] = "on"
    return client.post("/integrations/admin/webhooks/subscriptions", data=data)


def _lead(app):
    answer = app.test_client().post("/intake/lead", json=LEAD)
    assert answer.status_code == 202, answer.get_data(as_text=True)


def test_event_is_delivered_signed_and_logged(app, client, session, clock, demo_users, receiver):
    login(client, "admin")
    assert _subscribe(client, receiver.url + "/crm-hook").status_code == 302
    secret = session.scalars(select(WebhookSubscription)).one().secret
    _lead(app)
    assert receiver.requests == []  # nothing leaves inside the request
    assert deliver(app, clock) == 1
    (seen,) = receiver.requests
    body = json.loads(seen.body)
    assert body["event"] == "lead.created" and body["data"]["lead_id"] > 0
    stamp = seen.headers["X-CRM-Timestamp"]
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + seen.body, hashlib.sha256).hexdigest()
    assert seen.headers["X-CRM-Signature"] == "sha256=" + expected
    assert abs(int(stamp) - time.time()) < 60
    assert seen.headers["X-CRM-Delivery"] == str(body["id"])
    log = client.get("/integrations/admin/webhooks").get_data(as_text=True)
    assert "доставлено" in log and "200: accepted" in log


def test_failed_delivery_is_retried_with_back_off_and_redelivered_by_hand(
    app, client, session, clock, demo_users, receiver
):
    login(client, "admin")
    _subscribe(client, receiver.url)
    receiver.answers.append((500, {"Content-Type": "text/plain"}, b"boom"))
    _lead(app)
    assert deliver(app, clock) == 0
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook.delivery")).one()
    assert row.status == "pending" and "кодом 500" in row.last_error and row.result["body"] == "boom"
    assert deliver(app, clock) == 0  # back-off: not yet
    clock.advance(timedelta(seconds=31))
    assert deliver(app, clock) == 1
    assert [json.loads(r.body)["id"] for r in receiver.requests] == [row.payload["delivery_id"]] * 2

    first = session.scalars(select(WebhookDelivery)).one()
    page = client.get("/integrations/admin/webhooks").get_data(as_text=True)
    again = client.post(
        f"/integrations/admin/webhooks/deliveries/{first.id}/redeliver", data={"csrf_token": csrf_from(page)}
    )
    assert again.status_code == 302
    assert deliver(app, clock) == 1
    assert len(receiver.requests) == 3
    assert json.loads(receiver.requests[-1].body)["id"] != first.id


def test_slow_receiver_times_out_and_the_lead_is_still_accepted(app, client, session, clock, demo_users):
    def slow(seen):
        time.sleep(1.5)
        return 200, {}, b""

    app.extensions["crm.settings"].extra["CRM_WEBHOOK_TIMEOUT"] = 0.3
    with FakeServer(slow) as server:
        login(client, "admin")
        _subscribe(client, server.url)
        _lead(app)
        assert deliver(app, clock) == 0
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook.delivery")).one()
    assert "не ответил" in row.last_error and row.status == "pending"


def test_loopback_and_private_addresses_are_refused_unless_allowed(
    app, client, session, clock, demo_users, receiver
):
    login(client, "admin")
    for url in (
        receiver.url,
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/",
        "ftp://example.com/x",
        "http://user:pw@example.com/",
    ):
        answer = _subscribe(client, url, allow_private=False)
        assert answer.status_code == 422, url
    assert "внутреннюю сеть" in _subscribe(client, receiver.url, allow_private=False).get_data(as_text=True)
    assert session.scalars(select(WebhookSubscription)).all() == []

    # A subscription whose address turned private later (DNS changed) is refused at delivery time.
    session.add(
        WebhookSubscription(
            url=receiver.url,
            events=["lead.created"],
            secret="s",
            active=True,
            allow_private=False,
            created_at=clock.now(),
        )
    )
    session.commit()
    _lead(app)
    assert deliver(app, clock) == 0
    assert receiver.requests == []
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook.delivery")).one()
    assert "внутреннюю сеть" in row.last_error


def test_only_admins_manage_webhooks(app, client, demo_users, receiver):
    login(client, "manager")
    assert client.get("/integrations/admin/webhooks").status_code == 403
