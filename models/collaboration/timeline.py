"""One chronological feed per client (and per deal) across departments, from pluggable sources.

Each source (``TimelineSource``: activities, comments, tasks, process steps, stage changes,
field changes, policies, department requests — and later documents and contracts, declared by
their packages with ``declare_timeline_source``) returns the newest entries of its kind at or
before a moment. ``timeline`` merges them newest first and cuts the page by keyset — the
last entry's (time, source, id) — so page 50 costs what page 1 does and nothing is shown
twice or skipped when entries share a time. Filters: kind (a source), department and
person (who acted). Reading the feed needs the right to read the client (or deal).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.clients.access import get_client
from models.identity.users import Department, User
from models.platform.registry import Registry, installed
from models.sales.access import get_deal
from models.sales.deals import Deal

PREFIX = "timeline.source:"
PAGE = 30
MAX_PAGE = 200
TIES = 10  # entries of one source sharing the cursor's moment that a page can step over


class TimelineError(Exception):
    """Unusable filters or cursor; ``fields`` maps argument names to Russian messages (422)."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        self.fields = fields
        self.message = "; ".join(m for ms in fields.values() for m in ms)
        super().__init__(self.message)


@dataclass
class Entry:
    """One line of the feed: when, what kind, who, a title, detail lines and the record it links to."""

    at: datetime
    source: str
    id: int
    kind: str
    title: str
    lines: list[str] = field(default_factory=list)
    person_id: int | None = None
    object_type: str | None = None
    object_id: int | None = None
    decision: bool = False
    person: str | None = None
    department: str | None = None

    @property
    def key(self) -> tuple[datetime, str, int]:
        return (self.at, self.source, self.id)


@dataclass(frozen=True)
class Scope:
    """What the feed is about: a client (with all its deals) or one deal; ``people``: acted by these only.
    ``lead_ids``: the leads those deals came from (their process steps are the deal's tasks too)."""

    client_id: int
    deal_ids: Select | list[int]
    deal_id: int | None
    people: list[int] | None
    before: datetime | None
    limit: int
    lead_ids: Select | list[int]

    def by_people(self, column: Any, stmt: Select) -> Select:
        return stmt if self.people is None else stmt.where(column.in_(self.people))


Fetch = Callable[[Session, Scope], list[Entry]]


@dataclass(frozen=True)
class TimelineSource:
    code: str
    label: str
    fetch: Fetch


def declare_timeline_source(registry: Registry, source: TimelineSource) -> None:
    registry.service(PREFIX + source.code, source)


def timeline_sources() -> dict[str, TimelineSource]:
    found: list[Any] = [s for name, s in installed().services.items() if name.startswith(PREFIX)]
    return {s.code: s for s in found}


@dataclass
class TimelinePage:
    subject_type: str
    subject_id: int
    title: str
    entries: list[Entry]
    next_cursor: str | None
    kinds: dict[str, str]
    departments: dict[str, str]
    people: dict[int, str]
    filters: dict[str, Any]


def _cursor(entry: Entry) -> str:
    raw = f"{entry.at.isoformat()}|{entry.source}|{entry.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _parse_cursor(value: str) -> tuple[datetime, str, int]:
    try:
        at, source, ident = base64.urlsafe_b64decode(value.encode()).decode().split("|")
        return datetime.fromisoformat(at), source, int(ident)
    except (ValueError, UnicodeDecodeError):
        raise TimelineError({"after": ["Неверный курсор страницы"]}) from None


def _filters(session: Session, args: Any, kinds: dict[str, TimelineSource]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    kind = (args.get("kind") or "").strip() or None
    if kind and kind not in kinds:
        errors["kind"] = ["Неизвестный вид записи"]
    department = (args.get("department") or "").strip() or None
    person = (args.get("person") or "").strip() or None
    if person and not person.isdigit():
        errors["person"] = ["Сотрудник — номер"]
    limit = (args.get("limit") or "").strip()
    if limit and (not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE):
        errors["limit"] = [f"Размер страницы от 1 до {MAX_PAGE}"]
    people: list[int] | None = None
    if department:
        dept = session.scalar(select(Department).where(Department.code == department))
        if dept is None:
            errors["department"] = ["Неизвестный отдел"]
        else:
            people = list(session.scalars(select(User.id).where(User.department_id == dept.id)))
    if person and person.isdigit():
        people = [int(person)] if people is None else [p for p in people if p == int(person)]
    cursor = _parse_cursor(args["after"]) if args.get("after") else None
    if errors:
        raise TimelineError(errors)
    return {"kind": kind, "department": department, "person": int(person) if person else None,
            "people": people, "cursor": cursor, "limit": int(limit) if limit else PAGE}


def _dress(session: Session, entries: list[Entry]) -> None:
    ids = {e.person_id for e in entries if e.person_id}
    rows = session.execute(select(User.id, User.full_name, Department.name)
                           .outerjoin(Department, Department.id == User.department_id)
                           .where(User.id.in_(ids))).all() if ids else []
    names = {i: (n, d) for i, n, d in rows}
    for entry in entries:
        if entry.person_id in names:
            entry.person, entry.department = names[entry.person_id]


def timeline(session: Session, user: User, subject_type: str, subject_id: int, args: Any) -> TimelinePage:
    """The feed of a client or a deal ``user`` may read; ``TimelineError`` for unusable arguments."""
    deal_ids: Select | list[int]
    lead_ids: Select | list[int]
    if subject_type == "deal":
        deal = get_deal(session, user, subject_id)
        client_id, deal_ids, deal_id, title = deal.client_id, [deal.id], deal.id, deal.title
        lead_ids = [deal.lead_id] if deal.lead_id else []
    else:
        client = get_client(session, user, subject_id)
        client_id, deal_id, title = client.id, None, client.display_name
        deal_ids = select(Deal.id).where(Deal.client_id == client.id)
        lead_ids = select(Deal.lead_id).where(Deal.client_id == client.id, Deal.lead_id.is_not(None))
    sources = timeline_sources()
    flt = _filters(session, args, sources)
    cursor = flt["cursor"]
    # A source reads at or before the cursor's moment, so entries of that very moment (the
    # cursor's own among them) come back and are dropped below: ask for a few more than a page.
    extra = 1 + (TIES if cursor else 0)
    scope = Scope(client_id, deal_ids, deal_id, flt["people"], cursor[0] if cursor else None,
                  flt["limit"] + extra, lead_ids)
    chosen = [sources[flt["kind"]]] if flt["kind"] else list(sources.values())
    merged: list[Entry] = []
    for source in chosen:
        merged.extend(e for e in source.fetch(session, scope) if cursor is None or e.key < cursor)
    merged.sort(key=lambda e: e.key, reverse=True)
    page = merged[:flt["limit"]]
    _dress(session, page)
    more = len(merged) > flt["limit"]
    departments = dict(session.execute(select(Department.code,
                                              Department.name).order_by(Department.name)).all())
    people = dict(session.execute(select(User.id, User.full_name).where(User.is_active.is_(True))
                                  .order_by(User.full_name)).all())
    return TimelinePage(subject_type, subject_id, title, page, _cursor(page[-1]) if more and page else None,
                        {code: s.label for code, s in sources.items()}, departments, people,
                        {k: flt[k] for k in ("kind", "department", "person")})
