"""The search projection of clients: contact points, name tokens and history references.

Written by a flush hook in the same transaction as the client or contact it mirrors, so
it can never lag behind (like ``human_task`` for the inbox):

* ``client_contact_point`` — every phone and e-mail of a client and of its contacts, one
  indexed row each, so «find by phone/e-mail» and the duplicate checks are index lookups;
* ``client_name_token`` — on SQLite only: every suffix of every word of the client's and
  its contacts' search names. SQLite has no trigram index, and a full scan of a million
  names takes ~100 ms; a fragment is a substring of a word exactly when it is the prefix
  of one of its suffixes, i.e. one range scan of this table. PostgreSQL answers the same
  question with the pg_trgm GIN indexes on ``search_name`` and leaves this table empty.
  Rows are keyed (token, client, contact) without a secondary index; stale rows can only
  add candidates, which the search re-checks against the names, so deletes are best-effort;
* ``client_history_ref`` — which contacts ever belonged to a client, so the card keeps
  showing the history of a contact that was deleted or came over in a merge.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    bindparam,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clients.cards import Client, Contact
from models.clients.names import name_suffixes
from models.clients.phones import normalize_email, normalize_phone
from models.platform.db import Base

_PHONE_FIELDS = frozenset({"phone", "email", "extra_phones", "extra_emails"})


class ContactPoint(Base):
    """One normalised phone or e-mail of a client (``contact_id`` None) or of its contact."""

    __tablename__ = "client_contact_point"
    __table_args__ = (Index("ix_client_contact_point_value", "value", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # phone | email
    value: Mapped[str] = mapped_column(String(254))


class NameToken(Base):
    """A suffix of a word of a client's (``contact_id`` 0) or contact's search name (SQLite)."""

    __tablename__ = "client_name_token"
    __table_args__ = {"sqlite_with_rowid": False}

    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    contact_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class HistoryRef(Base):
    """An entity whose audit history belongs on a client's card (its contacts, also former)."""

    __tablename__ = "client_history_ref"

    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id", ondelete="CASCADE"), primary_key=True
    )
    entity_type: Mapped[str] = mapped_column(String(64), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(64), primary_key=True)


def contact_point_rows(client_id: int, contact_id: int | None, phones: list[str],
                       emails: list[str]) -> list[dict[str, Any]]:
    """Rows of ``client_contact_point`` for the given phones and e-mails (deduplicated)."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for kind, values, normalize in (("phone", phones, normalize_phone), ("email", emails, normalize_email)):
        for raw in values:
            value = normalize(raw) or str(raw).strip().lower()
            if value and value not in seen:
                seen.add(value)
                rows.append({"client_id": client_id, "contact_id": contact_id, "kind": kind,
                             "value": value})
    return rows


def token_rows(client_id: int, contact_id: int, text: str | None) -> list[dict[str, Any]]:
    """Rows of ``client_name_token`` for a search name (contact 0 = the client's own name)."""
    return [{"token": t, "client_id": client_id, "contact_id": contact_id}
            for t in name_suffixes(text or "")]


def refresh_statistics(session: Session, changed_rows: int) -> None:
    """After a large import, give SQLite's query planner fresh statistics of ``client``.

    PostgreSQL's autovacuum does this by itself; SQLite keeps what the last ANALYZE saw.
    """
    if uses_name_tokens(session) and changed_rows >= 10_000:
        session.execute(text("ANALYZE client"))


def uses_name_tokens(session: Session) -> bool:
    """Whether this database needs the token table (SQLite) or has pg_trgm (PostgreSQL)."""
    return session.get_bind().dialect.name != "postgresql"


def _changed(obj: Any, keys: frozenset[str] | set[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[key].history.has_changes() for key in keys)


def _old(obj: Any, key: str) -> Any:
    history = inspect(obj).attrs[key].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


class _Changes:
    """What one flush must write to the projection tables."""

    def __init__(self) -> None:
        self.points: list[dict[str, Any]] = []
        self.clear_client_points: list[int] = []
        self.clear_contact_points: list[int] = []
        self.tokens: list[dict[str, Any]] = []
        self.stale_tokens: list[dict[str, Any]] = []
        self.new_refs: list[dict[str, Any]] = []
        self.moved_refs: list[dict[str, Any]] = []

    def client(self, obj: Client, is_new: bool, tokens: bool) -> None:
        if is_new or _changed(obj, _PHONE_FIELDS):
            if not is_new:
                self.clear_client_points.append(obj.id)
            self.points += contact_point_rows(obj.id, None, obj.all_phones, obj.all_emails)
        if tokens and (is_new or _changed(obj, {"search_name"})):
            if not is_new:
                self.stale_tokens += token_rows(obj.id, 0, _old(obj, "search_name"))
            self.tokens += token_rows(obj.id, 0, obj.search_name)

    def contact(self, obj: Contact, is_new: bool, tokens: bool) -> None:
        moved = not is_new and _changed(obj, {"client_id"})
        if is_new or moved or _changed(obj, _PHONE_FIELDS):
            if not is_new:
                self.clear_contact_points.append(obj.id)
            self.points += contact_point_rows(obj.client_id, obj.id, obj.all_phones, obj.all_emails)
        if tokens and (is_new or moved or _changed(obj, {"search_name"})):
            if not is_new:
                old_client = _old(obj, "client_id") if moved else obj.client_id
                self.stale_tokens += token_rows(old_client, obj.id, _old(obj, "search_name"))
            self.tokens += token_rows(obj.client_id, obj.id, obj.search_name)
        if is_new or moved:
            (self.new_refs if is_new else self.moved_refs).append(
                {"client_id": obj.client_id, "entity_type": "contact", "entity_id": str(obj.id)})

    def deleted(self, obj: Any, tokens: bool) -> None:
        if not tokens:
            return
        values = inspect(obj).dict
        if isinstance(obj, Client):
            self.stale_tokens += token_rows(values.get("id"), 0, values.get("search_name"))
        else:
            self.stale_tokens += token_rows(values.get("client_id"), values.get("id"),
                                            values.get("search_name"))

    def write(self, session: Session) -> None:
        conn = session.connection()
        if self.clear_client_points:
            conn.execute(delete(ContactPoint).where(
                ContactPoint.client_id.in_(self.clear_client_points), ContactPoint.contact_id.is_(None)))
        if self.clear_contact_points:
            conn.execute(delete(ContactPoint).where(ContactPoint.contact_id.in_(self.clear_contact_points)))
        if self.points:
            conn.execute(insert(ContactPoint), self.points)
        if self.stale_tokens:
            conn.execute(delete(NameToken).where(NameToken.token == bindparam("t"),
                                                 NameToken.client_id == bindparam("c"),
                                                 NameToken.contact_id == bindparam("k")),
                         [{"t": r["token"], "c": r["client_id"], "k": r["contact_id"]}
                          for r in self.stale_tokens])
        if self.tokens:
            conn.execute(insert(NameToken).prefix_with("OR IGNORE", dialect="sqlite"), self.tokens)
        if self.new_refs:
            conn.execute(insert(HistoryRef), self.new_refs)
        for ref in self.moved_refs:  # a contact moved back and forth may have its row already
            if conn.execute(select(HistoryRef.client_id).filter_by(**ref)).first() is None:
                conn.execute(insert(HistoryRef), ref)


@event.listens_for(Session, "after_flush")
def _update_projection(session: Session, flush_context: Any) -> None:
    """Mirror new, changed and deleted clients and contacts into the projection tables."""
    relevant = [o for o in (*session.new, *session.dirty, *session.deleted)
                if isinstance(o, Client | Contact)]
    if not relevant:
        return
    tokens = uses_name_tokens(session)
    changes = _Changes()
    for obj in session.new:
        if isinstance(obj, Client):
            changes.client(obj, True, tokens)
        elif isinstance(obj, Contact):
            changes.contact(obj, True, tokens)
    for obj in session.dirty:
        if obj in session.deleted or not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Client):
            changes.client(obj, False, tokens)
        elif isinstance(obj, Contact):
            changes.contact(obj, False, tokens)
    for obj in session.deleted:
        if isinstance(obj, Client | Contact):
            changes.deleted(obj, tokens)
    changes.write(session)
