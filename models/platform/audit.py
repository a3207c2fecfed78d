"""Field-level audit log written by SQLAlchemy flush hooks.

Any model with ``__audited__ = True`` gets one ``audit_log`` row per changed field on
insert, update and delete: who (the actor of the current context), when, which record,
which field, old and new value. Views never write audit rows by hand, so no change can
forget its history. Secret columns listed in ``__audit_secret__`` are recorded as
changed without their values.

Bulk inserts of new cards (``models.clients.bulk_insert``: the CSV import, bench loaders)
write one row per new record instead: field ``VALUES_FIELD`` holding the rendered values of
its non-empty columns as a JSON object. A hundred thousand imported clients would otherwise
be well over a million log rows, about a third of the import's time. Every reader unfolds such
a row with ``field_values`` into the same (field, old, new) triples the per-column rows give,
so histories and timelines show an imported card exactly like one created by hand.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event, insert, inspect, text
from sqlalchemy.orm import Mapped, Mapper, Session, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow

SECRET_MASK = "***"  # noqa: S105  (a mask, not a password)

_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("crm_actor", default=None)
_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("crm_reason", default=None)


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # create | update | delete
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(500))


def current_actor() -> int | None:
    return _actor.get()


@contextmanager
def acting_as(user_id: int | None, reason: str | None = None) -> Iterator[None]:
    """Attribute every change made inside the block to ``user_id`` (None = system)."""
    token = _actor.set(user_id)
    reason_token = _reason.set(reason)
    try:
        yield
    finally:
        _actor.reset(token)
        _reason.reset(reason_token)


def set_actor(user_id: int | None) -> None:
    """Set the actor for the rest of the current context (one web request, one job)."""
    _actor.set(user_id)


def render_value(value: Any) -> str | None:
    """A stable text form of a column value for the log."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


VALUES_FIELD = "*values"  # the field of a one-row-per-record «create» entry (not a column name)


_VALUES_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def values_json(values: dict[str, str | None]) -> str:
    """The ``new_value`` of a ``VALUES_FIELD`` row: rendered values by column, in column order.

    Plain strings only (already rendered), so one prepared compact encoder serves every row.
    """
    return _VALUES_ENCODER.encode(values)


def field_values(field: str, old: str | None, new: str | None) -> list[tuple[str, str | None, str | None]]:
    """The (field, old, new) triples a log row stands for, in column order.

    A per-column row is its own triple. A ``VALUES_FIELD`` row unfolds into one triple per
    column it holds; one whose values were masked afterwards (``***`` by the personal-data
    erasure) or are unreadable stays one triple with that text.
    """
    if field != VALUES_FIELD:
        return [(field, old, new)]
    try:
        values = json.loads(new or "")
    except ValueError:
        return [(field, None, new)]
    if not isinstance(values, dict):
        return [(field, None, new)]
    return [(str(key), None, None if value is None else str(value)) for key, value in values.items()]


def _entity_id(obj: Any) -> str:
    # The identity key of a just-inserted object is assigned only after this hook,
    # so read the primary key from the instance itself.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ":".join(str(part) for part in key)


def _rows_for(obj: Any, action: str, now: datetime) -> list[dict[str, Any]]:
    state = inspect(obj)
    secret: frozenset[str] = getattr(obj, "__audit_secret__", frozenset())
    base = {
        "at": now,
        "user_id": _actor.get(),
        "entity_type": obj.__tablename__,
        "entity_id": _entity_id(obj),
        "action": action,
        "reason": _reason.get(),
    }
    rows = []
    for key in (attr.key for attr in state.mapper.column_attrs):
        if action == "update":  # the history only where it is read: a new lead has forty columns
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else getattr(obj, key)
            if old == new:
                continue
        elif action == "create":
            old, new = None, getattr(obj, key)
            if new is None:
                continue
        else:  # delete
            old, new = state.dict.get(key), None
            if old is None:
                continue
        if key in secret:
            old_text = SECRET_MASK if old is not None else None
            new_text = SECRET_MASK if new is not None else None
        else:
            old_text, new_text = render_value(old), render_value(new)
        rows.append({**base, "field": key, "old_value": old_text, "new_value": new_text})
    return rows


def _keep_old_value(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return value


@event.listens_for(Mapper, "mapper_configured")
def _enable_active_history(mapper: Mapper, class_: type) -> None:
    """Load the previous value before a change even when it was expired (after a commit).

    Without this, changing an attribute of an object loaded before the last commit
    would record the new value with an unknown old one.
    """
    if not getattr(class_, "__audited__", False):
        return
    for attr in mapper.column_attrs:
        event.listen(getattr(class_, attr.key), "set", _keep_old_value, active_history=True,
                     retval=True)


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session: Session, flush_context: Any) -> None:
    """Collect field changes of audited objects and insert them in the same transaction."""
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            rows.extend(_rows_for(obj, "create", now))
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj, include_collections=False):
            rows.extend(_rows_for(obj, "update", now))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            rows.extend(_rows_for(obj, "delete", now))
    if rows:
        conn = session.connection()
        if conn.dialect.name == "postgresql":  # one statement: half the CPU of psycopg's executemany
            conn.execute(_PG_INSERT, {"rows": _as_json(rows)})
        else:
            conn.execute(insert(AuditLog), rows)


# PostgreSQL: a flush's rows from one JSON parameter, in the order they were collected (the names
# are the table's own columns, not input). psycopg's ``executemany`` of a dozen rows (a new lead)
# costs about 330 µs of CPU, this statement about 150 µs.
_PG_INSERT = text("""
INSERT INTO audit_log (at, user_id, entity_type, entity_id, action, field, old_value, new_value, reason)
SELECT at, user_id, entity_type, entity_id, action, field, old_value, new_value, reason
FROM ROWS FROM (json_to_recordset(CAST(:rows AS json)) AS (
    at timestamptz, user_id int, entity_type text, entity_id text, action text, field text,
    old_value text, new_value text, reason text
)) WITH ORDINALITY AS r(at, user_id, entity_type, entity_id, action, field, old_value, new_value, reason, n)
ORDER BY n""")


def _as_json(rows: list[dict[str, Any]]) -> str:
    """The rows as the JSON array ``_PG_INSERT`` reads (the time in UTC, as ``UTCDateTime`` stores it)."""
    return json.dumps([{**row, "at": row["at"].astimezone(UTC).isoformat()} for row in rows],
                      ensure_ascii=False)
