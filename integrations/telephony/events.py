"""Mango's event webhooks → calls, call activities, «Перезвонить» tasks, recordings to fetch.

``receive_event`` is the one entry of ``POST /hooks/mango/events/<kind>``: it refuses
(``WebhookRefused``, answered 403/409/400) a body whose signature is wrong, whose time is
more than ``FRESHNESS`` away from ours, or which was accepted before (its SHA-256 is kept
in ``telephony_event_seen``), then applies it in the request's unit of work:

- ``call`` (``call_state`` Appeared/Connected/Disconnected) opens the call row and marks
  who answered;
- ``summary`` (sent once when the call ends) fixes direction, duration and result, logs
  the call activity on the matched client and deal, and for a missed incoming call sets
  one «Перезвонить» task for the client's owner (or the sales queue for an unknown number);
- ``recording`` (``recording_state`` Completed) queues the download of the recording
  (outbox ``telephony.recording``), so the audio is kept by us and played through the CRM.

Nothing here calls the PBX.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from integrations.telephony.calls import TelephonyCall, TelephonyEventSeen, TelephonyExtension
from integrations.telephony.mango import signature_valid
from integrations.telephony.matching import match_number, pbx_number
from models.clients.phones import display_phone
from models.platform.outbox import queue_outbox
from models.sales.activities import log_activity
from models.tasks.adhoc import TaskInput, create_task

FRESHNESS = timedelta(minutes=15)
KINDS = ("call", "summary", "recording")
CALLBACK_DUE = timedelta(hours=1)


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC) if value not in (None, "", 0, "0") else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _payload(kind: str, form: dict[str, str], settings: Any, now: datetime) -> dict[str, Any]:
    if kind not in KINDS:
        raise WebhookRefused(404, f"Неизвестное событие «{kind}»")
    if not signature_valid(settings.mango_api_key, settings.mango_api_salt, form):
        raise WebhookRefused(403, "Подпись события АТС неверна")
    try:
        payload = json.loads(form.get("json", ""))
    except ValueError:
        raise WebhookRefused(400, "Поле json не в формате JSON") from None
    if not isinstance(payload, dict) or not payload.get("entry_id"):
        raise WebhookRefused(400, "В событии нет entry_id")
    moment = _moment(payload.get("end_time") if kind == "summary" else payload.get("timestamp"))
    if moment is None or abs(now - moment) > FRESHNESS:
        raise WebhookRefused(409, "Событие устарело или пришло из будущего: повтор отклонён")
    return payload


def _seen(session: Session, kind: str, form: dict[str, str], now: datetime) -> None:
    digest = hashlib.sha256(f"{kind}\n{form.get('json', '')}".encode()).hexdigest()
    if session.get(TelephonyEventSeen, digest) is not None:
        raise WebhookRefused(409, "Это событие уже получено: повтор отклонён")
    session.add(TelephonyEventSeen(digest=digest, received_at=now))
    try:
        session.flush()
    except IntegrityError:
        raise WebhookRefused(409, "Это событие уже получено: повтор отклонён") from None


def _user_for(session: Session, extension: str | None) -> int | None:
    if not extension:
        return None
    row = session.scalar(select(TelephonyExtension).where(TelephonyExtension.extension == str(extension)))
    return row.user_id if row is not None else None


def _call(session: Session, entry_id: str, now: datetime) -> TelephonyCall:
    call = session.scalar(select(TelephonyCall).where(TelephonyCall.entry_id == entry_id))
    if call is None:
        call = TelephonyCall(entry_id=entry_id, started_at=now, duration=0, missed=False)
        session.add(call)
    return call


def _sides(payload: dict[str, Any], direction: str) -> tuple[str | None, str | None]:
    """(the outside number, our extension) of a call of ``direction``."""
    src, dst = payload.get("from") or {}, payload.get("to") or {}
    if direction == "out":
        return dst.get("number"), src.get("extension")
    return src.get("number"), dst.get("extension")


def _match(session: Session, call: TelephonyCall) -> None:
    if call.client_id is not None or not call.external_number:
        return
    found = match_number(session, call.external_number)
    if found is not None:
        call.client_id, call.contact_id = found.client.id, found.contact_id
        call.deal_id = found.deal.id if found.deal is not None else None


def _on_call(session: Session, payload: dict[str, Any], now: datetime) -> TelephonyCall:
    call = _call(session, str(payload["entry_id"]), now)
    at = _moment(payload.get("timestamp")) or now
    src = payload.get("from") or {}
    direction = "out" if src.get("extension") and not src.get("number") else "in"
    if call.id is None:
        call.direction, call.started_at = direction, at
    number, extension = _sides(payload, call.direction)
    call.external_number = call.external_number or pbx_number(number) or number
    if payload.get("call_state") == "Connected" and extension:
        call.answered_at = call.answered_at or at
        call.extension = str(extension)
        call.user_id = _user_for(session, extension)
    _match(session, call)
    return call


def _activity_text(session: Session, call: TelephonyCall) -> tuple[str, str]:
    subject = "Пропущенный звонок" if call.missed else f"{call.direction_label} звонок"
    number = display_phone(call.external_number) if call.external_number else "номер скрыт"
    who = call.user.full_name if call.user is not None else "—"
    outcome = f"{number}; длительность {call.duration_text}; менеджер: {who}"
    return f"{subject} ({number})", outcome


def _on_summary(session: Session, payload: dict[str, Any], now: datetime) -> TelephonyCall:
    call = _call(session, str(payload["entry_id"]), now)
    direction = {1: "in", 2: "out"}.get(int(payload.get("call_direction") or 0), "internal")
    call.direction = direction
    number, extension = _sides(payload, direction)
    call.external_number = pbx_number(number) or number or call.external_number
    call.started_at = _moment(payload.get("create_time")) or call.started_at or now
    talk, end = _moment(payload.get("talk_time")), _moment(payload.get("end_time"))
    call.ended_at = end or now
    answered = int(payload.get("entry_result") or 0) == 1
    call.answered_at = call.answered_at or (talk if answered else None)
    call.duration = int((end - talk).total_seconds()) if answered and talk and end and end > talk else 0
    call.missed = not answered and direction == "in"
    if extension:
        call.extension = str(extension)
        call.user_id = _user_for(session, extension) or call.user_id
    session.flush()
    _match(session, call)
    if call.activity_id is None and call.client_id is not None and direction != "internal":
        from models.sales.deals import Deal

        deal = session.get(Deal, call.deal_id) if call.deal_id else None
        subject, outcome = _activity_text(session, call)
        activity = log_activity(
            session,
            kind="call",
            subject=subject,
            outcome=outcome,
            happened_at=min(call.started_at, now),
            now=now,
            user_id=call.user_id,
            deal=deal,
            client_id=call.client_id,
        )
        call.activity_id = activity.id
    if call.missed and call.task_id is None:
        call.task_id = _callback_task(session, call, now)
    return call


def _callback_task(session: Session, call: TelephonyCall, now: datetime) -> int:
    from models.clients.cards import Client

    client = session.get(Client, call.client_id) if call.client_id else None
    number = display_phone(call.external_number) if call.external_number else "номер скрыт"
    who = client.full_name if client is not None else "неизвестный номер"
    owner = client.owner_id if client is not None else None
    data = TaskInput(
        title=f"Перезвонить: {who}, {number}",
        description=f"Пропущенный входящий звонок {number}.",
        assignee_id=owner,
        department=None if owner else "sales",
        business_type="client" if client is not None else None,
        business_id=client.id if client is not None else None,
        due_at=now + CALLBACK_DUE,
        priority=1,
    )
    return create_task(session, data, None, now, timedelta(hours=4)).id


def _on_recording(session: Session, payload: dict[str, Any], now: datetime) -> TelephonyCall | None:
    if payload.get("recording_state") != "Completed" or not payload.get("recording_id"):
        return None
    call = _call(session, str(payload["entry_id"]), now)
    call.recording_id = str(payload["recording_id"])
    session.flush()
    queue_outbox(
        session,
        "telephony.recording",
        {"recording_id": call.recording_id},
        now,
        dedupe_key=f"telephony.recording:{call.recording_id}"[:200],
    )
    return call


def receive_event(
    session: Session, kind: str, form: dict[str, str], settings: Any, now: datetime
) -> TelephonyCall | None:
    """Check and apply one Mango event webhook; raises ``WebhookRefused`` with what to answer."""
    payload = _payload(kind, form, settings, now)
    _seen(session, kind, form, now)
    if kind == "call":
        return _on_call(session, payload, now)
    if kind == "summary":
        return _on_summary(session, payload, now)
    return _on_recording(session, payload, now)
