"""What the web layer calls for telephony: webhooks, the calls of a card, recordings, click-to-call.

Rights: a card's calls and a recording are shown to whoever may view the client (or the
deal) the call was matched to; an unmatched call only to admins. Recordings are served
from our own storage (``<instance>/recordings``), never as a link to the PBX. Click-to-call
queues the PBX's callback command in the outbox (``telephony.callback``): the request only
records the wish, the worker dials.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from integrations.status import record
from integrations.telephony.calls import TelephonyCall, TelephonyExtension
from integrations.telephony.events import WebhookRefused, receive_event
from integrations.telephony.matching import pbx_number
from models.clients.access import get_client
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.outbox import OutboxMessage, queue_outbox
from models.platform.permissions import AccessDenied, Permission, can_access, has_permission
from models.sales.access import get_deal

SYSTEM = "telephony"


class CallError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    message: str


def handle_webhook(
    session: Session, kind: str, form: dict[str, str], settings: Any, now: datetime
) -> WebhookAnswer:
    """Apply one PBX event in a savepoint; a refusal leaves nothing but the answer to give."""
    try:
        with session.begin_nested():
            receive_event(session, kind, form, settings, now)
    except WebhookRefused as exc:
        return WebhookAnswer(exc.status, exc.message)
    return WebhookAnswer(200, "ok")


def note_refusal(session: Session, kind: str, answer: WebhookAnswer, now: datetime) -> None:
    """Keep a refused webhook in the integration's log (in a unit of work of its own)."""
    record(session, SYSTEM, False, f"Событие АТС «{kind}» отклонено", answer.message, now)


def recording_path(settings: Any, recording_id: str) -> Path:
    name = hashlib.sha256(recording_id.encode()).hexdigest()[:40]
    return Path(settings.instance_dir) / "recordings" / f"{name}.mp3"


def _visible(user: User, session: Session, call: TelephonyCall) -> bool:
    from models.clients.cards import Client

    if call.client_id is None:
        return has_permission(user, Permission.MANAGE_USERS)
    client = session.get(Client, call.client_id)
    return client is not None and can_access(user, client, "view")


def calls_of(
    session: Session, user: User, *, client_id: int | None = None, deal_id: int | None = None, limit: int = 50
) -> list[TelephonyCall]:
    """The calls of a client's card or a deal, newest first (the card's own rights checked)."""
    if deal_id is not None:
        get_deal(session, user, deal_id)
        where = TelephonyCall.deal_id == deal_id
    elif client_id is not None:
        get_client(session, user, client_id)
        where = TelephonyCall.client_id == client_id
    else:
        return []
    return list(
        session.scalars(
            select(TelephonyCall).where(where).order_by(TelephonyCall.started_at.desc()).limit(limit)
        )
    )


def recording_file(session: Session, user: User, call_id: int, settings: Any) -> Path:
    """The stored audio of a call the user may see; ``NotFound`` until it has been fetched."""
    call = session.get(TelephonyCall, call_id)
    if call is None:
        raise NotFound("Звонок не найден")
    if not _visible(user, session, call):
        raise AccessDenied("Нет прав на этот звонок")
    path = recording_path(settings, call.recording_id) if call.recording_id else None
    if path is None or not path.exists():
        raise NotFound("Запись разговора ещё не получена от АТС")
    return path


def request_callback(
    session: Session, user: User, client_id: int, phone: str, now: datetime
) -> OutboxMessage:
    """Click-to-call: queue the PBX's callback command from the user's extension to ``phone`` of a client."""
    get_client(session, user, client_id)
    number = pbx_number(phone)
    if number is None:
        raise CallError(f"Номер «{phone}» не похож на телефон")
    ext = session.get(TelephonyExtension, user.id)
    if ext is None:
        raise CallError("У вас нет внутреннего номера АТС: попросите администратора указать его")
    command_id = f"crm-{uuid.uuid4().hex}"
    return queue_outbox(
        session,
        "telephony.callback",
        {
            "command_id": command_id,
            "extension": ext.extension,
            "number": number.lstrip("+"),
            "user_id": user.id,
            "client_id": client_id,
        },
        now,
        dedupe_key=f"telephony.callback:{command_id}",
    )


def extensions(session: Session) -> list[tuple[User, str | None]]:
    rows = {e.user_id: e.extension for e in session.scalars(select(TelephonyExtension))}
    users = session.scalars(select(User).where(User.is_active).order_by(User.full_name))
    return [(u, rows.get(u.id)) for u in users]


def set_extension(session: Session, user_id: int, extension: str) -> None:
    """An admin maps a PBX extension to an employee (empty: remove)."""
    value = (extension or "").strip()
    if value and not value.isdigit():
        raise CallError("Внутренний номер — только цифры")
    clash = session.scalar(
        select(TelephonyExtension).where(
            TelephonyExtension.extension == value, TelephonyExtension.user_id != user_id
        )
    )
    if value and clash is not None:
        raise CallError(f"Номер {value} уже у другого сотрудника")
    row = session.get(TelephonyExtension, user_id)
    if not value:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(TelephonyExtension(user_id=user_id, extension=value))
    else:
        row.extension = value
    session.flush()


@dataclass(frozen=True)
class CallStats:
    user: User
    calls: int
    missed: int
    talk_seconds: int


def call_stats(session: Session, since: datetime) -> list[CallStats]:
    """Calls per manager since ``since`` for the coaching report: how many, missed, minutes of talk."""
    rows = session.execute(
        select(
            TelephonyCall.user_id,
            func.count(TelephonyCall.id),
            func.sum(case((TelephonyCall.missed, 1), else_=0)),
            func.coalesce(func.sum(TelephonyCall.duration), 0),
        )
        .where(TelephonyCall.started_at >= since, TelephonyCall.user_id.is_not(None))
        .group_by(TelephonyCall.user_id)
    ).all()
    out = []
    for user_id, calls, missed, talk in rows:
        user = session.get(User, user_id)
        if user is not None:
            out.append(CallStats(user, int(calls), int(missed or 0), int(talk or 0)))
    return sorted(out, key=lambda s: s.user.full_name)
