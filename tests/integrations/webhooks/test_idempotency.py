"""Issue 14: a webhook retried after a lost answer has no second effect on a receiver honouring the key.

The outbox delivers at least once (a timeout after the receiver acted looks like a failure to us),
so every delivery carries an ``Idempotency-Key`` stored once with its row; the receiver here, like a
careful real one, acts once per key and answers a repeat with 200.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from integrations.webhooks.tables import WebhookDelivery
from models.platform.outbox import OutboxMessage
from tests.conftest import csrf_from, login
from tests.integrations.conftest import deliver
from tests.integrations.http_fake import FakeServer
from tests.integrations.webhooks.test_webhooks import _lead, _subscribe


class Receiver:
    """Acts once per ``Idempotency-Key``; ``slow_first`` makes the first answer come too late."""

    def __init__(self) -> None:
        self.effects: dict[str, bytes] = {}
        self.slow_first = 0.0
        self.lock = threading.Lock()

    def __call__(self, seen):
        key = seen.headers.get("Idempotency-Key", "")
        with self.lock:
            if key and key in self.effects:
                return 200, {"Content-Type": "text/plain"}, b"already done"
            self.effects[key] = seen.body
            slow, self.slow_first = self.slow_first, 0.0
        time.sleep(slow)
        return 200, {"Content-Type": "text/plain"}, b"done"


@pytest.fixture
def receiver():
    handler = Receiver()
    with FakeServer(handler) as server:
        server.handler_state = handler
        yield server


def test_a_retry_after_a_lost_answer_has_one_effect(app, client, session, clock, demo_users, receiver):
    state = receiver.handler_state
    app.extensions["crm.settings"].extra["CRM_WEBHOOK_TIMEOUT"] = 0.3
    state.slow_first = 1.5  # the receiver acts, but its answer comes after our timeout
    login(client, "admin")
    _subscribe(client, receiver.url)
    _lead(app)
    assert deliver(app, clock) == 0
    row = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook.delivery")).one()
    assert row.status == "pending" and "не ответил" in row.last_error
    clock.advance(timedelta(seconds=31))
    assert deliver(app, clock) == 1

    key = row.payload["idempotency_key"]
    assert key.startswith(f"crm-webhook-{row.payload['delivery_id']}-")
    assert [seen.headers["Idempotency-Key"] for seen in receiver.requests] == [key, key]
    assert list(state.effects) == [key]  # one effect on the receiver for two requests
    session.expire_all()
    assert session.get(OutboxMessage, row.id).status == "sent"

    # a redelivery by hand is a new delivery on purpose: a new key, a second effect
    first = session.scalars(select(WebhookDelivery)).one()
    page = client.get("/integrations/admin/webhooks").get_data(as_text=True)
    client.post(f"/integrations/admin/webhooks/deliveries/{first.id}/redeliver",
                data={"csrf_token": csrf_from(page)})
    assert deliver(app, clock) == 1
    assert len(state.effects) == 2 and receiver.requests[-1].headers["Idempotency-Key"] != key
