"""Notifications of the lead and deal flow: new lead, reminder, escalation, outcome, reassignment.

All of them go through ``notify`` so the message can later also become an in-app
notification (the inbox feature) by changing this one module. For now each one is an
e-mail queued in the engine outbox: it leaves only after the transaction that caused it
commits, and is retried if the mail server is down.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.outbox import OutboxMessage


def notify(session: Session, now: datetime, user_ids: Iterable[int | None], subject: str, body: str,
           *, instance_id: int | None = None, dedupe_key: str | None = None) -> list[OutboxMessage]:
    """Queue ``subject``/``body`` for each distinct user that has an e-mail address."""
    rows = []
    for user_id in dict.fromkeys(u for u in user_ids if u is not None):
        user = session.get(User, user_id)
        if user is None or not user.email or not user.is_active:
            continue
        key = f"{dedupe_key}:{user_id}" if dedupe_key else None
        row = OutboxMessage(kind="email", payload={"to": user.email, "subject": subject, "body": body,
                                                   "user_id": user_id},
                            dedupe_key=key, next_attempt_at=now, instance_id=instance_id)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def notify_reassignment(session: Session, now: datetime, *, what: str, old_id: int | None,
                        new_id: int, reason: str, by: User) -> list[OutboxMessage]:
    """Tell both the previous and the new manager that ``what`` changed hands and why."""
    new = session.get(User, new_id)
    old = session.get(User, old_id) if old_id else None
    body = (f"{what}: передано от «{old.full_name if old else '—'}» к «{new.full_name}».\n"
            f"Причина: {reason}\nПередал: {by.full_name}")
    return notify(session, now, [old_id, new_id], f"Передача: {what}", body)
