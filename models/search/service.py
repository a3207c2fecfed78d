"""What the search page and ``GET /api/v1/search`` call: parse, find, and dress the hits for reading.

``search(session, user, args)`` returns a ``SearchPage`` — hits with the kind's label, the
client and deal names, the author, the time, the tag and a highlighted snippet — and the
cursor of the next page. ``refresh`` re-indexes one source row (a comment whose mark
changed); ``reindex`` rebuilds everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.labels import labels
from models.platform.permissions import Permission, require
from models.search.filters import SearchError, SearchQuery, parse_query
from models.search.indexer import index_object, reindex
from models.search.query import find
from models.search.snippets import snippet
from models.search.sources import source_labels, sources
from models.search.stems import query_stems

__all__ = ["Hit", "SearchError", "SearchPage", "refresh", "reindex", "search"]


@dataclass(frozen=True)
class Hit:
    id: int
    kind: str
    kind_label: str
    object_type: str
    object_id: int
    title: str
    snippet: Markup
    text: str
    client_id: int | None
    client: str | None
    deal_id: int | None
    deal: str | None
    author: str | None
    tag: str | None
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "kind_label": self.kind_label,
                "object": {"type": self.object_type, "id": self.object_id}, "title": self.title,
                "snippet": str(self.snippet), "text": self.text,
                "client": {"id": self.client_id, "name": self.client} if self.client_id else None,
                "deal": {"id": self.deal_id, "title": self.deal} if self.deal_id else None,
                "author": self.author, "tag": self.tag, "created_at": self.created_at.isoformat()}


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    hits: list[Hit]
    next_cursor: int | None
    kinds: dict[str, str]


def search(session: Session, user: User, args: Any) -> SearchPage:
    """Texts matching ``args["q"]`` that ``user`` may read; ``SearchError`` for unusable input."""
    require(user, Permission.USE_CRM)
    kinds = source_labels()
    query = parse_query(args, set(kinds))
    stems = query_stems(query.q)
    if not stems:
        raise SearchError({"q": ["В запросе нет слов для поиска (только предлоги и союзы)"]})
    rows, cursor = find(session, user, query, stems)
    names = labels(session, [*(("client", r.client_id) for r in rows), *(("deal", r.deal_id) for r in rows)])
    authors = dict(session.execute(select(User.id, User.full_name)
                                   .where(User.id.in_({r.author_id for r in rows if r.author_id}))).all())
    hits = [Hit(r.id, r.source, kinds.get(r.source, r.source), r.object_type, r.object_id, r.title,
                snippet(r.full_text, stems), r.body,
                r.client_id, names.get(("client", r.client_id)) if r.client_id else None,
                r.deal_id, names.get(("deal", r.deal_id)) if r.deal_id else None,
                authors.get(r.author_id) if r.author_id else None, r.tag, r.created_at) for r in rows]
    return SearchPage(query, hits, cursor, kinds)


def refresh(session: Session, source_code: str, row: Any) -> None:
    """Index ``row`` of the source ``source_code`` anew (its text or its marks changed)."""
    for source in sources():
        if source.code == source_code:
            index_object(session, source, row, replace=True)
