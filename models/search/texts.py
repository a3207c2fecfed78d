"""``search_text``: one row per text written anywhere in the CRM, with its full-text index.

Every text (a comment, an activity's outcome, a client's notes, a task's description, a
request's message, later a document's text) is one row: where it comes from
(``source``/``source_id``), the record that decides who may read it
(``object_type``/``object_id``: a comment on a deal is read by whoever may read the deal),
the client and deal it concerns, its author, the client's owner at indexing time (a cheap
first filter for managers; the record's own access rule has the last word), a tag and
the text itself.

The index differs per database and is written here, in the same transaction as the row:

* PostgreSQL: the ``tsv`` column, ``to_tsvector('russian', title || body)``, behind a GIN
  index (``ix_search_text_tsv``);
* SQLite: the contentless FTS5 table ``search_text_fts`` (made by the migration; rowid =
  ``search_text.id``) holding the Snowball stems of the text (``models.search.stems``).
  Contentless keeps the file small; deleting a row from it needs the stems it was given,
  which are recomputed from the row's text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, TypeDecorator, delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow
from models.search.stems import text_stems

FTS_TABLE = "search_text_fts"


class TSVector(TypeDecorator):
    """``tsvector`` on PostgreSQL; on SQLite an always-empty text column (FTS5 does the work)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class SearchText(Base):
    """One searchable text and what it is about (a projection: no foreign keys, rebuilt by ``reindex``)."""

    __tablename__ = "search_text"
    __table_args__ = (
        Index("ix_search_text_source", "source", "source_id", unique=True),
        Index("ix_search_text_client", "client_id", "id"),
        Index("ix_search_text_owner", "owner_id", "id"),
        Index("ix_search_text_author", "author_id", "id"),
        Index("ix_search_text_tsv", "tsv", postgresql_using="gin", sqlite_where=text("0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int] = mapped_column(Integer)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[int | None] = mapped_column(Integer)
    deal_id: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    tag: Mapped[str | None] = mapped_column(String(80))
    product: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tsv: Mapped[Any] = mapped_column(TSVector, nullable=True)

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.body}" if self.title else self.body


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def put_text(session: Session, source: str, source_id: int, values: dict[str, Any]) -> int:
    """Insert one text and its full-text index entry (core statements: safe inside a flush hook)."""
    full = f"{values.get('title') or ''}\n{values['body']}"
    row = {"source": source, "source_id": source_id, "title": "", **values}
    if is_postgres(session):
        row["tsv"] = func.to_tsvector("russian", full)
        return int(session.execute(insert(SearchText).values(**row).returning(SearchText.id)).scalar_one())
    new_id = int(session.execute(insert(SearchText).values(**row).returning(SearchText.id)).scalar_one())
    session.execute(text(f"INSERT INTO {FTS_TABLE}(rowid, stems) VALUES (:id, :stems)"),  # noqa: S608
                    {"id": new_id, "stems": text_stems(full)})
    return new_id


def drop_texts(session: Session, source: str, source_ids: list[int]) -> None:
    """Remove the texts of these source rows (and, on SQLite, their FTS5 entries)."""
    if not source_ids:
        return
    where = (SearchText.source == source, SearchText.source_id.in_(source_ids))
    if not is_postgres(session):
        old = session.execute(select(SearchText.id, SearchText.title, SearchText.body).where(*where)).all()
        if old:
            session.execute(
                text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, stems) "  # noqa: S608  (a constant)
                     "VALUES ('delete', :id, :stems)"),
                [{"id": i, "stems": text_stems(f"{t or ''}\n{b}")} for i, t, b in old],
            )
    session.execute(delete(SearchText).where(*where))
