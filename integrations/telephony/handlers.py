"""Outbox handlers of telephony: fetch a finished recording, send a click-to-call command.

Both run after the webhook's or the user's transaction committed. A retryable failure
(timeout, 5xx) raises so the outbox retries with back-off; the recording is written to a
temporary file and renamed, so a retry after a crash never leaves half an mp3. The
callback's ``command_id`` is Mango's idempotency key for the command.
"""

from __future__ import annotations

import os
from typing import Any

from integrations.telephony.mango import telephony_from_settings
from integrations.telephony.service import recording_path
from models.platform.outbox import OutboxMessage


def fetch_recording(row: OutboxMessage, settings: Any) -> None:
    recording_id = str(row.payload["recording_id"])
    path = recording_path(settings, recording_id)
    if path.exists():
        return
    audio = telephony_from_settings(settings).recording(recording_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".part{os.getpid()}")
    partial.write_bytes(audio)
    partial.replace(path)


def send_callback(row: OutboxMessage, settings: Any) -> None:
    payload = row.payload
    telephony_from_settings(settings).callback(payload["command_id"], payload["extension"], payload["number"])
