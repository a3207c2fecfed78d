"""Fragments of short titles found through an index on both databases.

A search box matches when every typed word is part of the title (deal and task titles,
a lead's company or contact name, a document's title), in any case. ``LIKE '%word%'`` cannot
use a b-tree index, so at a million rows it reads every row (≈ 1 s on PostgreSQL through a
join). Instead:

* PostgreSQL: a pg_trgm GIN index on each titled column (``trigram_index``), which serves
  ``ILIKE '%word%'`` directly; the planner picks it for rare words and walks the primary key
  newest first for frequent ones;
* SQLite: an FTS5 table with the trigram tokenizer per table (``<table>_title_fts``,
  external content kept by triggers the migration creates, so bulk loads through plain
  INSERTs are indexed too). A quoted word is a substring match, case-folded for Cyrillic as
  well. Words shorter than three letters have no trigram; they are checked row by row.

``newest_ids`` answers «the newest N rows of this (scoped, filtered) query whose title has
the words» in a few milliseconds whatever the table's size: a rare fragment is read from the
index whole; a frequent one (≥ ``BROAD`` rows) from the index's newest windows, which hold a
full page long before the end.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Index,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

# table -> the columns its search box looks into (the migration indexes exactly these)
TITLED: dict[str, tuple[str, ...]] = {
    "deal": ("title",),
    "lead": ("company", "name"),
    "task": ("title",),
    "document": ("title",),
}
TRIGRAM = 3
MAX_WORDS = 4
BROAD = 1_000  # from this many index hits on, the newest windows answer first
WINDOWS = (2_000, 20_000, 200_000)


def trigram_index(name: str, column: str) -> Index:
    """A pg_trgm GIN index for ``ILIKE '%…%'`` on PostgreSQL (an empty partial index on SQLite,
    which searches its FTS5 table instead)."""
    return Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"},
                 sqlite_where=text("0"))


def fts_table(table: str) -> str:
    return f"{table}_title_fts"


def fragment_words(typed: str) -> list[str]:
    """The words of a search box entry; one-letter words are dropped unless nothing else is left."""
    words = list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", typed or "")))[:MAX_WORDS]
    long_enough = [w for w in words if len(w) >= 2]
    return long_enough or words


def _escaped(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _columns(model: Any) -> list[Any]:
    return [getattr(model, name) for name in TITLED[model.__tablename__]]


def _contains(model: Any, word: str, variants: bool) -> ColumnElement[bool]:
    """One of the model's titled columns contains ``word``. SQLite's LIKE folds ASCII only, so
    ``variants`` also tries the word Capitalised and UPPER (short words on SQLite only)."""
    if variants:
        spellings = {word, word.capitalize(), word.upper()}
        return or_(*[column.like(_escaped(s), escape="\\") for column in _columns(model) for s in spellings])
    return or_(*[column.ilike(_escaped(word), escape="\\") for column in _columns(model)])


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


@cache
def _fts(name: str) -> Table:
    """The FTS5 table ``name`` as a Core table, one object per name: SQLAlchemy keys its cache of
    compiled statements by the table object, so a table made per call compiled both statements of
    every deals search anew (1–1.5 ms of its 10 ms on SQLite at 200 000 deals)."""
    return Table(name, MetaData(), Column("rowid", Integer))


def _fts_ids(model: Any, words: list[str], below: int | None, window: int | None) -> Select | None:
    """Ids from the SQLite FTS5 table of rows holding every word of three letters or more."""
    long_words = [w for w in words if len(w) >= TRIGRAM]
    if not long_words:
        return None
    name = fts_table(model.__tablename__)
    fts = _fts(name)
    match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
    stmt = select(fts.c.rowid).where(text(f"{name} MATCH :fragments").bindparams(fragments=match))
    if below is not None:
        stmt = stmt.where(fts.c.rowid < below)
    if window is not None:
        stmt = stmt.order_by(fts.c.rowid.desc()).limit(window)
    return stmt


def fragment_condition(session: Session, model: Any, words: list[str], *, below: int | None = None,
                       window: int | None = None) -> ColumnElement[bool]:
    """Rows of ``model`` whose titled columns hold every word, as a WHERE condition using the index
    (on SQLite only the ``window`` newest index hits below ``below`` when a window is given)."""
    if _is_postgresql(session):
        return and_(*[_contains(model, w, variants=False) for w in words])
    short = [_contains(model, w, variants=True) for w in words if len(w) < TRIGRAM]
    ids = _fts_ids(model, words, below, window)
    return and_(model.id.in_(ids), *short) if ids is not None else and_(*short)


def _broad(session: Session, model: Any, words: list[str]) -> bool:
    """Whether the SQLite index holds ``BROAD`` rows or more with the words (one capped count)."""
    ids = _fts_ids(model, words, None, None)
    if ids is None:
        return False  # only short words: nothing to window, the rows are checked one by one
    capped = select(func.count()).select_from(ids.limit(BROAD).subquery())
    return session.execute(capped).scalar_one() >= BROAD


def newest_ids(session: Session, base: Select, model: Any, words: list[str], limit: int,
               below: int | None = None) -> list[int]:
    """Ids of the newest ``limit`` rows of ``base`` (a select of ``model``, scoped and filtered)
    below id ``below`` whose titles hold every word, newest first."""
    if not words:
        return []
    after = [model.id < below] if below is not None else []

    def page(condition: ColumnElement[bool]) -> list[int]:
        stmt = base.where(condition, *after).with_only_columns(model.id).order_by(model.id.desc())
        return list(session.scalars(stmt.limit(limit)))

    if _is_postgresql(session) or not _broad(session, model, words):
        return page(fragment_condition(session, model, words))
    for window in WINDOWS:
        found = page(fragment_condition(session, model, words, below=below, window=window))
        if len(found) >= limit:
            return found
    return page(fragment_condition(session, model, words))
