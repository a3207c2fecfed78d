"""The BI export feed: every entity's rows changed since a moment, in a stable order with a cursor.

Read-only and stable: the columns are the entity's report fields (``models.reports.entities``)
plus ``id`` and ``updated_at``, named in English and documented on «Отчёты → Выгрузка для BI».
Rows come in (``updated_at``, ``id``) order from ``report_change`` (written by the summary
hook whenever a deal, activity, lead or client changes); the cursor is the last row's pair,
so a client that pages with it never misses or repeats a row even while data changes.
Rights are the caller's: the same scope rules as every list.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.permissions import Permission, require
from models.reports.entities import ReportEntity, entities
from models.reports.tables import ChangeMark

MAX_PAGE = 10_000


class FeedError(ValueError):
    """A bad feed request (unknown entity, bad date or cursor), in Russian."""


@dataclass
class FeedPage:
    columns: list[str]
    types: list[str]
    rows: list[list[Any]]
    next_cursor: str | None


def feed_entity(code: str) -> ReportEntity:
    entity = entities().get(code)
    if entity is None:
        raise FeedError(f"Нет выгрузки «{code}»: есть {', '.join(entities())}")
    return entity


def _cursor(text: str | None) -> tuple[datetime, int] | None:
    if not text:
        return None
    try:
        moment, _, record = base64.urlsafe_b64decode(text.encode()).decode().partition("|")
        return datetime.fromisoformat(moment), int(record)
    except (ValueError, UnicodeDecodeError):
        raise FeedError("Курсор не распознан: передайте значение next_cursor из прошлого ответа") from None


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FeedError(
            "updated_since: дата и время в ISO 8601, например 2026-11-01T00:00:00+03:00"
        ) from None
    if moment.tzinfo is None:
        raise FeedError("updated_since: укажите часовой пояс, например +03:00")
    return moment


def feed_page(
    session: Session, user: User, code: str, updated_since: str | None, cursor: str | None, limit: int = 1000
) -> FeedPage:
    """One page of the feed of ``code`` for ``user``; ``FeedError`` on a bad request."""
    require(user, Permission.VIEW_REPORTS)
    entity, since, after = feed_entity(code), _since(updated_since), _cursor(cursor)
    limit = max(1, min(limit, MAX_PAGE))
    base = entity.joined(entity.scope(user, entity.base()), list(entity.fields))
    record_id = base.selected_columns[0]
    stmt = base.join(ChangeMark, and_(ChangeMark.entity == code, ChangeMark.record_id == record_id))
    if since is not None:
        stmt = stmt.where(ChangeMark.updated_at >= since)
    if after is not None:
        stmt = stmt.where(
            or_(
                ChangeMark.updated_at > after[0],
                and_(ChangeMark.updated_at == after[0], ChangeMark.record_id > after[1]),
            )
        )
    stmt = stmt.with_only_columns(record_id, *(f.column for f in entity.fields), ChangeMark.updated_at)
    stmt = stmt.order_by(ChangeMark.updated_at, ChangeMark.record_id).limit(limit)
    rows = [list(r) for r in session.execute(stmt)]
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        next_cursor = base64.urlsafe_b64encode(f"{last[-1].isoformat()}|{last[0]}".encode()).decode()
    return FeedPage(
        ["id", *(f.name for f in entity.fields), "updated_at"],
        ["int", *(f.type for f in entity.fields), "datetime"],
        rows,
        next_cursor,
    )


def feed_pages(session: Session, user: User, code: str, updated_since: str | None) -> Iterator[FeedPage]:
    """Every page from ``updated_since`` on (the CLI's whole export)."""
    cursor = None
    while True:
        page = feed_page(session, user, code, updated_since, cursor, MAX_PAGE)
        yield page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
