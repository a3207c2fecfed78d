"""Keeps ``search_text`` in step with the declared sources, inside the flush that changed them.

Like the client search projection (``models.clients.index``), the index is written by an
``after_flush`` hook in the same transaction as the change, so a search never sees a text
that was rolled back and never misses one that was committed. A changed row is indexed
anew (delete + insert); only changes of the source's watched attributes count.
``reindex`` rebuilds everything (``crm search reindex``) after a source is added.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, event, inspect, select, text, update
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.search.sources import IndexedText, TextSource, sources
from models.search.texts import FTS_TABLE, SearchText, drop_texts, is_postgres, put_text


def _values(item: IndexedText) -> dict[str, Any]:
    values = {
        "object_type": item.object_type, "object_id": item.object_id, "body": item.body[:100_000],
        "title": (item.title or "")[:300], "client_id": item.client_id, "deal_id": item.deal_id,
        "author_id": item.author_id, "owner_id": item.owner_id, "tag": item.tag, "product": item.product,
    }
    if item.created_at is not None:
        values["created_at"] = item.created_at
    return values


def _changed(obj: Any, watch: frozenset[str]) -> bool:
    state = inspect(obj)
    keys = watch or {attr.key for attr in state.mapper.column_attrs}
    return any(state.attrs[key].history.has_changes() for key in keys if key in state.attrs)


def index_object(session: Session, source: TextSource, obj: Any, *, replace: bool) -> None:
    if replace:
        drop_texts(session, source.code, [obj.id])
    item = source.extract(session, obj)
    if item is not None and item.body.strip():
        put_text(session, source.code, obj.id, _values(item))


def _after_flush(session: Session, flush_context: Any) -> None:
    declared = sources()
    if not declared:
        return
    with session.no_autoflush:
        _mirror(session, declared)
        _follow_owners(session)


def _follow_owners(session: Session) -> None:
    """A client handed to another manager takes its texts' first filter along."""
    for obj in session.dirty:
        if isinstance(obj, Client) and inspect(obj).attrs["owner_id"].history.has_changes():
            session.execute(update(SearchText).where(SearchText.client_id == obj.id)
                            .values(owner_id=obj.owner_id))


def _mirror(session: Session, declared: list[TextSource]) -> None:
    for source in declared:
        for obj in session.new:
            if isinstance(obj, source.model):
                index_object(session, source, obj, replace=False)
        for obj in session.dirty:
            if isinstance(obj, source.model) and _changed(obj, source.watch):
                index_object(session, source, obj, replace=True)
        gone = [obj.id for obj in session.deleted if isinstance(obj, source.model)]  # type: ignore[attr-defined]
        drop_texts(session, source.code, gone)


def install_hook() -> None:
    """Listen to every session's flushes (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)


def reindex(session: Session, batch: int = 1000) -> int:
    """Rebuild the whole index from the declared sources; returns how many texts it holds."""
    session.execute(delete(SearchText))
    if not is_postgres(session):
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))  # noqa: S608  (a constant)
    count = 0
    for source in sources():
        last = 0
        while True:
            model: Any = source.model
            rows: list[Any] = list(session.scalars(select(model).where(model.id > last)
                                                   .order_by(model.id).limit(batch)))
            if not rows:
                break
            for obj in rows:
                item = source.extract(session, obj)
                if item is not None and item.body.strip():
                    put_text(session, source.code, obj.id, _values(item))
                    count += 1
            last = rows[-1].id
    return count
