"""Merging two cards of the same client into one.

The user picks, for every field where the cards differ, which value survives. Phones,
e-mails and tags are united rather than chosen, so no way to reach the client is lost.
Everything that points at the merged client moves to the survivor: contacts, and every
row of any table with a foreign key to ``client.id`` — found in ``Base.metadata`` at run
time, so deals, tasks, activities and documents of later features move too without this
module knowing them. Mapped rows are moved through the ORM (the audit log records the
``client_id`` change with the merge as its reason); plain tables with a Core UPDATE.

The merged client is then deleted (its deletion is in the audit log), and a
``client_merge`` row keeps who merged what, when, why, the field choices and a snapshot
of the merged card. Its audit history is not rewritten: the survivor's card shows the
history of every client merged into it (see ``models.clients.history``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, delete, or_, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, Mapper, RelationshipDirection, Session, mapped_column

from models.clients.access import get_client
from models.clients.cards import Client
from models.clients.duplicates import NotDuplicate
from models.clients.index import HistoryRef
from models.clients.service import ClientInvalid, form_values
from models.clients.validation import clean_client
from models.identity.users import User
from models.platform.audit import acting_as, render_value
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.labels import repoint
from models.platform.permissions import require_access

MERGE_FIELDS = (
    "kind", "full_name", "short_name", "inn", "kpp", "ogrn", "legal_address", "postal_address",
    "industry", "territory", "segment", "status", "source", "notes", "head_name", "head_position",
    "owner_id", "registry_status",
)
# Tables whose client references this module settles itself.
_SPECIAL = frozenset({"client_not_duplicate", "client_history_ref", "client_contact_point"})


class ClientMerge(Base):
    """The record of one merge: survivor, the merged client's id and card, choices, who and why."""

    __tablename__ = "client_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int | None] = mapped_column(
        ForeignKey("client.id", ondelete="SET NULL"), index=True
    )
    merged_id: Mapped[int] = mapped_column(Integer, index=True)
    merged_name: Mapped[str] = mapped_column(String(500))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    choices: Mapped[dict[str, str]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(500))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def differing_fields(survivor: Client, other: Client) -> list[tuple[str, Any, Any]]:
    """Fields whose values differ between the two cards: (field, survivor's, other's)."""
    return [(f, getattr(survivor, f), getattr(other, f)) for f in MERGE_FIELDS
            if getattr(survivor, f) != getattr(other, f)]


@dataclass
class MergePreview:
    """What the merge page shows: both cards (each editable by the user) and where they differ."""

    survivor: Client
    other: Client
    fields: list[tuple[str, Any, Any]]


def merge_preview(session: Session, user: User, survivor_id: int, other_id: int) -> MergePreview:
    """Both cards of a planned merge, loaded with the «edit» check, and their differing fields."""
    survivor = get_client(session, user, survivor_id, "edit")
    other = get_client(session, user, other_id, "edit")
    return MergePreview(survivor, other, differing_fields(survivor, other))


def _unite(*lists: list[str]) -> list[str]:
    return list(dict.fromkeys(v for values in lists for v in values if v))


def _merged_values(survivor: Client, other: Client, choices: Mapping[str, str]) -> dict[str, Any]:
    values = form_values(survivor)
    for field, pick in choices.items():
        if field not in MERGE_FIELDS:
            raise ClientInvalid({field: "Это поле нельзя выбрать при объединении"})
        if pick not in ("survivor", "other"):
            raise ClientInvalid({field: "Выберите значение одной из карточек"})
        if pick == "other" and field not in ("owner_id", "registry_status"):
            values[field] = getattr(other, field)
    values["phones"] = _unite(survivor.all_phones, other.all_phones)
    values["emails"] = _unite(survivor.all_emails, other.all_emails)
    values["tags"] = _unite(survivor.tags or [], other.tags or [])
    return values


def client_references() -> list[Any]:
    """Every foreign-key column in the schema that points at ``client.id``."""
    columns = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "client" and fk.column.name == "id" and table.name != "client":
                columns.append(fk.parent)
    return columns


def _mapped_class(table: Any) -> type[Any] | None:
    for mapper in Base.registry.mappers:
        if mapper.local_table is table:
            return mapper.class_
    return None


def _move_rows(session: Session, column: Any, old_id: int, survivor: Client) -> None:
    cls = _mapped_class(column.table)
    if cls is None:
        session.execute(update(column.table).where(column == old_id).values({column.name: survivor.id}))
        return
    mapper: Mapper[Any] = sa_inspect(cls)
    relation = next((r for r in mapper.relationships if r.direction is RelationshipDirection.MANYTOONE
                     and column in r.local_columns), None)
    attr = next(p.key for p in mapper.column_attrs if column in p.columns)
    for row in session.scalars(select(cls).where(getattr(cls, attr) == old_id)):
        if relation is not None:
            setattr(row, relation.key, survivor)
        else:
            setattr(row, attr, survivor.id)


def _settle_own_tables(session: Session, survivor: Client, other: Client) -> None:
    pairs = session.execute(select(NotDuplicate.client_a_id, NotDuplicate.client_b_id).where(
        or_(NotDuplicate.client_a_id == other.id, NotDuplicate.client_b_id == other.id))).all()
    session.execute(delete(NotDuplicate).where(
        or_(NotDuplicate.client_a_id == other.id, NotDuplicate.client_b_id == other.id)))
    for a, b in pairs:
        third = a if b == other.id else b
        low, high = sorted((third, survivor.id))
        if low != high and session.get(NotDuplicate, (low, high)) is None:
            session.add(NotDuplicate(client_a_id=low, client_b_id=high))
    own = set(session.scalars(select(HistoryRef.entity_type + ":" + HistoryRef.entity_id)
                              .where(HistoryRef.client_id == survivor.id)))
    for ref in session.scalars(select(HistoryRef).where(HistoryRef.client_id == other.id)):
        if f"{ref.entity_type}:{ref.entity_id}" not in own:
            session.add(HistoryRef(client_id=survivor.id, entity_type=ref.entity_type,
                                   entity_id=ref.entity_id))
    session.flush()


def merge_clients(session: Session, actor: User, survivor: Client, other: Client,
                  choices: Mapping[str, str], reason: str | None = None) -> ClientMerge:
    """Merge ``other`` into ``survivor`` and delete ``other``; both must be editable by ``actor``.

    ``choices`` maps a differing field to "survivor" or "other". The merged card is
    validated before anything changes; a refused merge changes nothing.
    """
    if survivor.id == other.id:
        raise ClientInvalid({"other_id": "Нельзя объединить клиента с самим собой"})
    require_access(actor, survivor, "edit")
    require_access(actor, other, "edit")
    values, errors = clean_client(_merged_values(survivor, other, choices))
    if errors:
        raise ClientInvalid(errors, "Объединённая карточка не проходит проверку")
    note = f"Объединение: #{other.id} «{other.display_name}» → #{survivor.id}"
    if reason and reason.strip():
        note += f". {' '.join(reason.split())}"
    snapshot = {c.key: render_value(getattr(other, c.key)) for c in Client.__table__.columns}
    with acting_as(actor.id, reason=note[:500]):
        for field, value in values.items():
            if getattr(survivor, field) != value:
                setattr(survivor, field, value)
        for field in ("owner_id", "registry_status"):
            if choices.get(field) == "other":
                setattr(survivor, field, getattr(other, field))
        _settle_own_tables(session, survivor, other)
        for column in client_references():
            if column.table.name not in _SPECIAL:
                _move_rows(session, column, other.id, survivor)
        # Tasks, processes and comments name the client instead of a foreign key.
        repoint(session, "client", other.id, survivor.id)
        session.flush()
        record = ClientMerge(survivor_id=survivor.id, merged_id=other.id,
                             merged_name=other.display_name[:500], snapshot=snapshot,
                             choices=dict(choices), reason=(reason or "").strip()[:500] or None,
                             user_id=actor.id)
        session.add(record)
        session.expire(other, ["contacts"])
        session.delete(other)
        session.flush()
    return record


def merge_by_ids(session: Session, actor: User, survivor_id: int, other_id: int,
                 choices: Mapping[str, str], reason: str | None = None) -> Client:
    """``merge_clients`` for ids a page or the API received; returns the surviving card."""
    survivor = get_client(session, actor, survivor_id, "edit")
    other = get_client(session, actor, other_id, "edit")
    merge_clients(session, actor, survivor, other, choices, reason)
    return survivor
