"""Inserting many new clients at once, with the rows the ORM flush hooks would write.

An import creates thousands of clients; building ORM objects and letting the unit of work
and the per-object audit hook handle them costs about a millisecond per client, three
times the import budget. This module writes the same things table by table: the clients
and contacts (ids taken from the sequence on PostgreSQL, after the maximum on SQLite),
their contact points, name tokens (SQLite) and history references, and one ``audit_log``
row per new client and contact holding its non-empty columns as JSON (``VALUES_FIELD`` of
``models.platform.audit``; the readers unfold it into the per-column rows an ORM insert
writes), with the same actor and reason, less the technical columns (id, timestamps,
derived search name) that no history shows. Rows go in with COPY on
PostgreSQL and multi-row INSERTs on SQLite. The caller wraps it all in a savepoint, so
either all of it is written or none.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from models.clients.cards import Client, Contact
from models.clients.index import ContactPoint, HistoryRef, NameToken, uses_name_tokens
from models.clients.names import name_suffixes, search_name
from models.platform.audit import SECRET_MASK, VALUES_FIELD, AuditLog, render_value, values_json
from models.platform.events import BULK_CREATED, publish

if TYPE_CHECKING:
    import psycopg

# Columns whose "create" audit rows say nothing the row itself does not (its id and time)
# or that are derived (the search name); the card's history hides them anyway.
TECHNICAL_COLUMNS = frozenset({"id", "search_name", "created_at", "updated_at"})
# Rows per SQLite INSERT: one statement steps through hundreds of rows with the GIL released,
# where ``executemany`` takes the GIL back for every row — which, while the import's other
# thread checks and matches the next chunk, costs a wait for the GIL per row.
SQLITE_ROWS_PER_STATEMENT = 500
AUDIT_COLUMNS = ("at", "user_id", "entity_type", "entity_id", "action", "field", "old_value",
                 "new_value", "reason")


def _audit_rows(model: Any, rows: Sequence[dict[str, Any]], actor_id: int | None,
                reason: str | None, now: datetime) -> list[tuple]:
    """One ``audit_log`` «create» row per inserted row: its non-empty columns as JSON.

    The values are rendered as ``models.platform.audit`` renders them for an ORM insert
    (secret columns masked), so ``field_values`` unfolds the row into exactly the per-column
    rows an ORM insert would have written; one row instead of about a dozen per client is
    the difference between an import spending a third of its time on the log and not.
    """
    table = model.__table__
    secret: frozenset[str] = getattr(model, "__audit_secret__", frozenset())
    keys = [column.key for column in table.columns if column.key not in TECHNICAL_COLUMNS]
    rendered: dict[tuple, str | None] = {}  # lists (tags, extra phones) repeat a lot
    result = []
    for row in rows:
        values: dict[str, str | None] = {}
        for key in keys:
            value = row.get(key)
            if value is None:
                continue
            if key in secret:
                values[key] = SECRET_MASK
            elif type(value) is str:
                values[key] = value
            elif isinstance(value, list):
                if tuple(value) not in rendered:
                    rendered[tuple(value)] = render_value(value)
                values[key] = rendered[tuple(value)]
            else:
                values[key] = render_value(value)
        result.append((now, actor_id, table.name, str(row["id"]), "create", VALUES_FIELD, None,
                       values_json(values), reason))
    return result


def _bound(table: Any, names: Sequence[str], rows: list[tuple], dialect: Any) -> list[tuple]:
    """``rows`` with each value passed through its column's bind processor (UTC timestamps, JSON).

    Column by column, so each repeated value (the chunk's timestamp, empty tags) is processed once.
    """
    processors = [(index, process) for index, name in enumerate(names)
                  if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))]
    if not processors:
        return rows
    values_of: list[list[Any]] = [list(values) for values in zip(*rows, strict=True)]
    for index, process in processors:
        done: dict[Any, Any] = {}
        processed: list[Any] = []
        for value in values_of[index]:
            if value is None:
                processed.append(None)
            elif isinstance(value, dict):
                processed.append(process(value))
            else:
                key = tuple(value) if isinstance(value, list) else value
                if key not in done:
                    done[key] = process(value)
                processed.append(done[key])
        values_of[index] = processed
    return list(zip(*values_of, strict=True))


def write_rows(session: Session, table: Any, names: Sequence[str], rows: list[tuple]) -> None:
    """Append plain rows to ``table`` at driver speed, inside the session's transaction.

    PostgreSQL gets a COPY, SQLite INSERTs of ``SQLITE_ROWS_PER_STATEMENT`` rows; values pass
    through the columns' bind processors (UTC timestamps), so they are stored exactly as an ORM insert would.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    rows = _bound(table, names, rows, dialect)
    columns = ", ".join(f'"{n}"' for n in names)
    raw = conn.connection.dbapi_connection
    if raw is None:  # only an invalidated connection has none, and a session never hands one out
        raise RuntimeError("the session's connection has no DBAPI connection")
    if dialect.name == "postgresql":
        driver = cast("psycopg.Connection[Any]", raw)  # our PostgreSQL driver is psycopg 3
        statement = f'COPY "{table.name}" ({columns}) FROM STDIN'
        with _as_sqlalchemy_error(dialect, statement), driver.cursor() as pg_cursor, \
                pg_cursor.copy(statement) as copy:
            for values in rows:
                copy.write_row(values)
        return
    verb = "INSERT OR IGNORE" if table.name == "client_name_token" else "INSERT"
    head = f'{verb} INTO "{table.name}" ({columns}) VALUES '
    one = f'({", ".join("?" * len(names))})'
    limit = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // len(names)))
    cursor = raw.cursor()
    try:
        for start in range(0, len(rows), per):
            part = rows[start:start + per]
            statement = head + ",".join([one] * len(part))  # the full-size text is compiled once
            with _as_sqlalchemy_error(dialect, statement):
                cursor.execute(statement, [value for row in part for value in row])
    finally:
        cursor.close()


@contextmanager
def _as_sqlalchemy_error(dialect: Any, statement: str) -> Iterator[None]:
    """Raise driver errors as SQLAlchemy's (IntegrityError, …), like any other statement."""
    dbapi = dialect.loaded_dbapi
    try:
        yield
    except dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc


def _insert_with_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows with new ids (set into each row) and return the ids in order.

    PostgreSQL hands out the ids from the table's sequence and loads the rows with COPY.
    SQLite takes the ids after the current maximum (a transaction writing to SQLite holds
    the only write lock); a writer slipping in before the lock is taken makes the INSERT
    fail, and the caller's savepoint falls back to row-by-row ORM inserts.
    """
    conn = session.connection()
    table = model.__table__
    if conn.dialect.name == "postgresql":
        ids = list(conn.scalars(text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "  # noqa: S608
                                     "FROM generate_series(1, :n)"), {"n": len(rows)}))
    else:
        start = conn.scalar(select(func.max(table.c.id))) or 0
        ids = list(range(start + 1, start + 1 + len(rows)))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    names = list(dict.fromkeys(key for row in rows for key in row))
    values_of = itemgetter(*names)  # one C call per row (a row has more than one column)
    # A person's card has keys a company's lacks (birth date, passport): fill the gaps with NULL.
    full = [row if len(row) == len(names) else {**dict.fromkeys(names), **row} for row in rows]
    write_rows(session, table, names, [values_of(row) for row in full])
    return ids


def _point_rows(client_id: int, contact_id: int | None, values: dict[str, Any]) -> list[tuple]:
    """Contact points of clean card values (already normalised, hence not normalised again)."""
    rows = [(client_id, contact_id, "phone", p)
            for p in dict.fromkeys([values.get("phone"), *(values.get("extra_phones") or [])]) if p]
    rows += [(client_id, contact_id, "email", e)
             for e in dict.fromkeys([values.get("email"), *(values.get("extra_emails") or [])]) if e]
    return rows


def insert_clients(session: Session, cards: Sequence[tuple[dict[str, Any], dict[str, Any] | None]],
                   *, actor_id: int | None, reason: str | None, now: datetime) -> list[int]:
    """Insert new clients (card values, optional contact values); returns their ids in order.

    Card values are those of ``clean_client`` plus ``owner_id`` and ``import_batch_id`` (and
    ``search_name`` when the caller has it already); contact values those of ``clean_contact``.
    """
    if not cards:
        return []
    client_rows = [{**values, "search_name": values.get("search_name")
                    or search_name(values["full_name"], values.get("short_name")),
                    "created_at": now, "updated_at": now} for values, _contact in cards]
    ids = _insert_with_ids(session, Client, client_rows)
    tokens = uses_name_tokens(session)
    points: list[tuple] = []
    name_tokens: list[tuple] = []
    for row, client_id in zip(client_rows, ids, strict=True):
        points += _point_rows(client_id, None, row)
        if tokens:
            name_tokens += [(t, client_id, 0) for t in name_suffixes(row["search_name"])]
    audit = _audit_rows(Client, client_rows, actor_id, reason, now)
    contact_rows = [{**contact, "client_id": client_id, "created_at": now,
                     "search_name": search_name(contact["full_name"])[:300]}
                    for (_values, contact), client_id in zip(cards, ids, strict=True) if contact]
    if contact_rows:
        contact_ids = _insert_with_ids(session, Contact, contact_rows)
        for row, contact_id in zip(contact_rows, contact_ids, strict=True):
            points += _point_rows(row["client_id"], contact_id, row)
            if tokens:
                name_tokens += [(t, row["client_id"], contact_id) for t in name_suffixes(row["search_name"])]
        write_rows(session, HistoryRef.__table__, ("client_id", "entity_type", "entity_id"),
                   [(r["client_id"], "contact", str(r["id"])) for r in contact_rows])
        audit += _audit_rows(Contact, contact_rows, actor_id, reason, now)
    write_rows(session, ContactPoint.__table__, ("client_id", "contact_id", "kind", "value"), points)
    # In key order the B-tree takes them page by page, not at random. By the token alone:
    # comparing strings is several times cheaper than comparing tuples, and rows of one token
    # are already in the order their clients were added.
    name_tokens.sort(key=itemgetter(0))
    write_rows(session, NameToken.__table__, ("token", "client_id", "contact_id"), name_tokens)
    write_rows(session, AuditLog.__table__, AUDIT_COLUMNS, audit)
    # The ORM's flush hooks never see these rows: packages that mirror new clients (the BI
    # feed's change marks) hear of them here, in the same transaction.
    publish(session, BULK_CREATED, {"client_ids": ids}, now)
    return ids
