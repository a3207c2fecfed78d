"""Full-text search over ``search_text`` on both databases, with filters, rights and keyset pages.

A query is stemmed (``models.search.stems``) and every stem must occur (AND). PostgreSQL
asks ``tsv @@ plainto_tsquery('russian', …)`` through the GIN index; SQLite asks its FTS5
table for the stems, walking it newest row first (``ORDER BY rowid DESC``) so a page stops
as soon as it is full. Hits come newest first (by id) and pages are cut by the last id.

Rights: a cheap first filter in SQL for those who do not see every client (a manager: texts
about own clients or written by them; a senior manager: the department's), then the last
word for every hit on the page — ``can_access(user, record, "view")`` on the record the
text is about. A hit the user may not read is never returned; the page is topped up from
further candidates instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Select, Table, Text, func, or_, select, text
from sqlalchemy.orm import Session

from models.clients.access import SEE_ALL_CLIENTS
from models.identity.users import User, department_member_ids
from models.platform.permissions import can_access
from models.platform.roles import Role
from models.search.filters import SearchQuery
from models.search.sources import guards
from models.search.stems import words
from models.search.texts import FTS_TABLE, SearchText, is_postgres

ROUNDS = 6  # batches of candidates fetched to fill one page before giving up
_fts = Table(FTS_TABLE, MetaData(), Column("rowid", Integer), Column("stems", Text))


def _prefilter(user: User, stmt: Select) -> Select:
    role = Role(user.role)
    if role == Role.ADMIN or role in SEE_ALL_CLIENTS:
        return stmt
    mine = [SearchText.owner_id == user.id, SearchText.author_id == user.id]
    if role in (Role.SENIOR_MANAGER, Role.HEAD) and user.department_id is not None:
        mine.append(SearchText.owner_id.in_(department_member_ids(user)))
    return stmt.where(or_(*mine))


def _filters(query: SearchQuery, stmt: Select) -> Select:
    if query.kind:
        stmt = stmt.where(SearchText.source == query.kind)
    if query.author_id:
        stmt = stmt.where(SearchText.author_id == query.author_id)
    if query.client_id:
        stmt = stmt.where(SearchText.client_id == query.client_id)
    if query.deal_id:
        stmt = stmt.where(SearchText.deal_id == query.deal_id)
    if query.tag:
        stmt = stmt.where(SearchText.tag == query.tag)
    if query.product:
        stmt = stmt.where(SearchText.product == query.product)
    if query.since:
        stmt = stmt.where(SearchText.created_at >= query.since)
    if query.until:
        stmt = stmt.where(SearchText.created_at < query.until)
    return stmt


# Candidates are read as (id, object_type, object_id) only: the rights need no more, and the
# texts themselves (the widest column) are loaded for the final page alone.
_KEYS = (SearchText.id, SearchText.object_type, SearchText.object_id)


def _candidates(session: Session, user: User, query: SearchQuery, stems: Sequence[str],
                before: int | None, size: int) -> list[Any]:
    if is_postgres(session):
        asked = " ".join(w for w in words(query.q))
        stmt = select(*_KEYS).where(SearchText.tsv.op("@@")(func.plainto_tsquery("russian", asked)))
        order: Any = SearchText.id.desc()
        if before is not None:
            stmt = stmt.where(SearchText.id < before)
    else:
        match = " ".join(f'"{s}"' for s in stems)
        narrow = query.client_id or query.deal_id or query.author_id
        if narrow:  # a narrow filter: walk its index, test the few rows against the FTS table
            found = select(_fts.c.rowid).where(text(f"{FTS_TABLE} MATCH :match"))
            stmt = select(*_KEYS).where(SearchText.id.in_(found))
            order = SearchText.id.desc()
            if before is not None:
                stmt = stmt.where(SearchText.id < before)
        else:  # walk the FTS table newest first and stop when the page is full
            stmt = (select(*_KEYS).select_from(_fts).join(SearchText, SearchText.id == _fts.c.rowid)
                    .where(text(f"{FTS_TABLE} MATCH :match")))
            order = _fts.c.rowid.desc()
            if before is not None:
                stmt = stmt.where(_fts.c.rowid < before)
        stmt = stmt.params(match=match)
    stmt = _filters(query, _prefilter(user, stmt)).order_by(order).limit(size)
    return list(session.execute(stmt))


def visible_ids(session: Session, user: User, rows: Sequence[Any]) -> set[int]:
    """Ids of the rows whose record ``user`` may view (unknown object types and missing records: none)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        wanted[row.object_type].add(row.object_id)
    models = guards()
    allowed: set[tuple[str, int]] = set()
    for object_type, ids in wanted.items():
        model: Any = models.get(object_type)
        if model is None:
            continue
        for record in session.scalars(select(model).where(model.id.in_(ids))):
            if can_access(user, record, "view"):
                allowed.add((object_type, record.id))
    return {row.id for row in rows if (row.object_type, row.object_id) in allowed}


def find(session: Session, user: User, query: SearchQuery,
         stems: Sequence[str]) -> tuple[list[SearchText], int | None]:
    """One page of hits ``user`` may read and the cursor of the next page (None: last page)."""
    ids, cursor = _page_ids(session, user, query, stems)
    rows = {row.id: row for row in session.scalars(select(SearchText).where(SearchText.id.in_(ids)))} \
        if ids else {}
    return [rows[i] for i in ids if i in rows], cursor


def _page_ids(session: Session, user: User, query: SearchQuery,
              stems: Sequence[str]) -> tuple[list[int], int | None]:
    """The ids of one page, newest first, checked against the rights, and the next cursor."""
    found: list[int] = []
    before = query.cursor
    sees_all = Role(user.role) == Role.ADMIN or Role(user.role) in SEE_ALL_CLIENTS
    size = query.limit + 5 if sees_all else max(query.limit * 2, 40)
    for _ in range(ROUNDS):
        batch = _candidates(session, user, query, stems, before, size)
        allowed = visible_ids(session, user, batch)
        for row in batch:
            before = row.id
            if row.id in allowed:
                found.append(row.id)
                if len(found) == query.limit:
                    return found, row.id
        if len(batch) < size:
            return found, None
    return found, before
