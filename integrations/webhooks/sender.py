"""The outbox handler ``webhook.delivery``: one signed POST of one event to one subscribed URL.

Body: ``{"id": <delivery>, "event": …, "occurred_at": …, "data": {…}}``. Headers:
``X-CRM-Event``, ``X-CRM-Delivery`` (the delivery's number), ``Idempotency-Key`` (the delivery's
number and a uuid stored once with the outbox row: every retry of a delivery carries the same key,
and it stays unique across databases, unlike a bare row id), ``X-CRM-Timestamp`` (Unix seconds)
and ``X-CRM-Signature: sha256=<hex>`` —
HMAC-SHA256 with the subscription's secret of ``"<timestamp>.<body>"``, so a receiver can
refuse a forged or replayed call. A 2xx answer is delivered; anything else, a timeout or
a refused address raises, and the outbox retries with back-off (its ``last_error`` and the
answer kept in ``result`` make the delivery log).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import requests

from integrations.webhooks.safety import UnsafeUrl, check_url
from models.platform.outbox import OutboxMessage

TIMEOUT = 10.0
KEEP_BODY = 2000


class DeliveryFailed(Exception):
    def __init__(self, message: str, result: dict | None = None) -> None:
        super().__init__(message)
        self.result = result


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def idempotency_key(payload: dict) -> str:
    """The delivery's key; rows queued before keys were stored fall back to the delivery number."""
    return str(payload.get("idempotency_key") or f"crm-webhook-{payload['delivery_id']}")


def deliver(row: OutboxMessage, settings: Any) -> dict:
    p = row.payload
    try:
        url = check_url(p["url"], bool(p.get("allow_private")))
    except UnsafeUrl as exc:
        raise DeliveryFailed(exc.message) from None
    body = json.dumps(
        {"id": p["delivery_id"], "event": p["event"], "occurred_at": p.get("occurred_at"), "data": p["data"]},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "CRM-Webhooks/1",
        "X-CRM-Event": p["event"],
        "X-CRM-Delivery": str(p["delivery_id"]),
        "Idempotency-Key": idempotency_key(p),
        "X-CRM-Timestamp": stamp,
        "X-CRM-Signature": signature(p["secret"], stamp, body),
    }
    timeout = float((getattr(settings, "extra", None) or {}).get("CRM_WEBHOOK_TIMEOUT", TIMEOUT))
    try:
        response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        raise DeliveryFailed(f"Получатель не ответил за {timeout:g} с") from None
    except requests.RequestException as exc:
        raise DeliveryFailed(f"Получатель недоступен ({type(exc).__name__})") from None
    result = {"status": response.status_code, "body": response.text[:KEEP_BODY]}
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"Получатель ответил кодом {response.status_code}", result)
    return result
