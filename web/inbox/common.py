"""Small helpers shared by the inbox views: the clock and zones, parsing dates, numbers and filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import current_app
from flask.typing import ResponseReturnValue

from models.platform.ids import parse_int
from models.tasks.adhoc import TaskError
from models.tasks.comments import CommentError
from models.tasks.inbox import InboxFilters
from web.formatting import viewer_zone

Refusal = TaskError | CommentError
RefusalPage = Callable[[Refusal, int], ResponseReturnValue]
REFUSAL_PAGES: dict[str, RefusalPage] = {}  # endpoint -> how its refusals are answered
V = TypeVar("V", bound=Callable)


def refusal_page(render: RefusalPage) -> Callable[[V], V]:
    """Mark an inbox view: when it is refused, ``render(error, status)`` draws the answer.

    The error handler in ``web.inbox.refusals`` calls it after the unit of work has rolled
    back, so the page shows what is stored; views without a mark answer with their task's page.
    """

    def mark(view: V) -> V:
        REFUSAL_PAGES[f"inbox.{view.__name__}"] = render
        return view

    return mark


def now() -> datetime:
    """The app clock's now (a ``ManualClock`` in tests)."""
    return current_app.extensions["crm.clock"].now()


def grace() -> timedelta:
    """How long after the due time an overdue task is escalated."""
    return current_app.extensions["crm.settings"].escalation_grace


def default_zone() -> str:
    """The company's time zone, for users who have not chosen their own."""
    return current_app.extensions["crm.settings"].timezone


def zone() -> ZoneInfo:
    """The current user's time zone (dates typed in forms are in it)."""
    return viewer_zone()


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
    """A stored UTC time as the value of a ``datetime-local`` input in the user's zone."""
    return value.astimezone(zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def optional_int(value: str | None, errors: dict | None = None, field: str = "") -> int | None:
    """A typed whole number, ``None`` when empty; anything else is noted in ``errors[field]``."""
    text = (value or "").strip()
    if not text:
        return None
    number = parse_int(text)
    if number is not None:
        return number
    if errors is not None:
        errors.setdefault(field, []).append("Ожидается число")
    return None


def parse_filters(args) -> InboxFilters:
    """The inbox filters from the query string; values that make no sense are ignored."""
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

