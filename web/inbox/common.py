"""Small helpers shared by the inbox views: loading a task by kind, parsing dates and filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import select

from engine.tables import HumanTask
from models.identity.users import User
from models.platform.db import db
from models.platform.permissions import require_access
from models.tasks.adhoc import Task
from models.tasks.inbox import InboxFilters, viewer_for

KINDS = {"process": HumanTask, "adhoc": Task}


def now() -> datetime:
    return current_app.extensions["crm.clock"].now()


def grace() -> timedelta:
    return current_app.extensions["crm.settings"].escalation_grace


def zone() -> ZoneInfo:
    return ZoneInfo(
        getattr(current_user, "timezone", None) or current_app.extensions["crm.settings"].timezone
    )


def viewer():
    return viewer_for(db.session, current_user, now(), current_app.extensions["crm.settings"].timezone)


def load_task(kind: str, task_id: int, action: str | None = "view") -> HumanTask | Task:
    """The task of ``kind`` the current user may ``action`` (None: the caller checks), or 404/403."""
    model = KINDS.get(kind)
    record = db.session.get(model, task_id) if model else None
    if record is None:
        abort(404)
    if action is not None:
        require_access(current_user, record, action)
    return record


def parse_local(text: str | None, errors: dict, field: str) -> datetime | None:
    """A ``datetime-local`` (or date) value typed in the user's zone, as UTC."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        moment = (
            datetime.fromisoformat(text)
            if "T" in text or " " in text
            else datetime.combine(date.fromisoformat(text), datetime.min.time().replace(hour=18))
        )
    except ValueError:
        errors.setdefault(field, []).append("Неверная дата: ожидается ДД.ММ.ГГГГ ЧЧ:ММ")
        return None
    return moment.replace(tzinfo=zone()).astimezone(ZoneInfo("UTC"))


def to_local_input(value: datetime | None) -> str:
    return value.astimezone(zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def optional_int(value: str | None, errors: dict | None = None, field: str = "") -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if errors is not None:
        errors.setdefault(field, []).append("Ожидается число")
    return None


def parse_filters(args) -> InboxFilters:
    due = None
    if args.get("due_before"):
        try:
            due = date.fromisoformat(args["due_before"])
        except ValueError:
            due = None
    priority = optional_int(args.get("priority"))
    return InboxFilters(
        client_id=optional_int(args.get("client_id")),
        deal_id=optional_int(args.get("deal_id")),
        process=(args.get("process") or None),
        priority=priority if priority in (1, 2, 3) else None,
        due_before=due,
    )


def colleagues() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.full_name)))
