"""The deals search box (``?q=``): the deal's title, its client's name, INN, OGRN, phone or e-mail.

Both halves go through an index, never ``ILIKE`` over a join: titles through
``models.platform.fragments`` (pg_trgm on PostgreSQL, the FTS5 trigram table on SQLite), clients
through the client search's own indexes (``models.clients.search.matching_client_ids``). Each
half pages separately — the newest ``limit`` deals of the scoped, filtered list below the cursor —
and the page is the newest ``limit`` of their union, so a search costs the same at 200,000 deals
as at 1,000,000.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, false, or_, select, union
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.clients.search import matching_client_ids
from models.platform.fragments import fragment_condition, fragment_words, newest_ids
from models.sales.deals import Deal


def _by_client(session: Session, text: str) -> ColumnElement[bool] | None:
    """Deals whose client the entry finds: through the client ids when they are few, else a row
    by row check of each deal's client (walked newest first, a frequent name is met soon)."""
    ids, selective = matching_client_ids(session, text)
    if ids is None:
        return None
    if selective:
        return Deal.client_id.in_(ids)
    assert isinstance(ids, Select)  # only PostgreSQL's names are a union, and they are selective
    return exists(ids.where(Client.id == Deal.client_id))


def search_ids(session: Session, base: Select, text: str, limit: int, below: int | None = None) -> list[int]:
    """Ids of the newest ``limit`` deals of ``base`` (scoped and filtered) below id ``below``
    whose title, or whose client, matches ``text``; newest first."""
    text = (text or "").strip()[:200]
    found = set(newest_ids(session, base, Deal, fragment_words(text), limit, below))
    by_client = _by_client(session, text)
    if by_client is not None:
        stmt = base.where(by_client).with_only_columns(Deal.id).order_by(Deal.id.desc())
        if below is not None:
            stmt = stmt.where(Deal.id < below)
        found.update(session.scalars(stmt.limit(limit)))
    return sorted(found, reverse=True)[:limit]


def page_ids(session: Session, base: Select, text: str, limit: int,
             below: int | None = None) -> Select | list[int]:
    """The ids of ``search_ids``: as a select the page's statement takes in on PostgreSQL, where
    both halves are one plain indexed query each (planned apart as subqueries of a UNION), so the
    halves and the page's rows are one round trip instead of three; as a list on SQLite, whose
    title half may look through several windows first. UNION, not UNION ALL: a deal both halves
    find must take one place among the ``limit``."""
    if session.get_bind().dialect.name != "postgresql":
        return search_ids(session, base, text, limit, below)
    text = (text or "").strip()[:200]
    after = [Deal.id < below] if below is not None else []
    words = fragment_words(text)
    by_client = _by_client(session, text)
    halves = [condition for condition in (fragment_condition(session, Deal, words) if words else None,
                                          by_client) if condition is not None]
    if not halves:
        return []
    newest = union(*(base.where(half, *after).with_only_columns(Deal.id).order_by(Deal.id.desc())
                     .limit(limit) for half in halves)).subquery()
    return select(newest.c.id).order_by(newest.c.id.desc()).limit(limit)


def search_condition(session: Session, text: str) -> ColumnElement[bool]:
    """The same match as a WHERE condition, for aggregates over every match (the board's totals)."""
    text = (text or "").strip()[:200]
    words = fragment_words(text)
    parts = [fragment_condition(session, Deal, words)] if words else []
    by_client = _by_client(session, text)
    if by_client is not None:
        parts.append(by_client)
    return or_(false(), *parts)
