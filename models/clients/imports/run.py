"""Running an import batch: rows in chunks, a savepoint per chunk and, on failure, per row.

Rows are planned a chunk at a time (``models.clients.imports.plan``). The chunk's new
clients are written table by table in bulk (``models.clients.bulk_insert``: clients, contacts,
search rows and audit rows) and its updated clients through the ORM, all inside one
savepoint. If the database refuses anything in the chunk, the savepoint is rolled back
and the chunk is written again one row per savepoint through the ORM: the bad row is
rejected with the database's reason, every good row is saved, and no row is ever
half-written (a client, its contact, its search rows and its audit rows are one
savepoint). A dry run plans the same way and writes nothing but the results.

The caller owns the transaction: ``on_chunk`` is called after every chunk (the web job and
the CLI commit there, which also makes progress visible to the status endpoint). Callers that
commit there ask for ``overlap``: chunk *k* is then written on a writer thread while chunk
*k + 1* is checked and matched (``models.clients.imports.overlap``), with the same outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from models.clients.bulk_insert import insert_clients, write_rows
from models.clients.cards import Client, Contact
from models.clients.imports.batches import ClientImport, ImportRow
from models.clients.imports.files import read_table
from models.clients.imports.overlap import ChunkWriter, can_overlap, reading_session
from models.clients.imports.plan import Matcher, OwnerLookup, RowPlan, prepare_row
from models.identity.users import User
from models.platform.audit import acting_as
from models.platform.collector import paused_collector
from models.platform.db import utcnow

CHUNK_SIZE = 2000  # rows per savepoint and commit: larger chunks amortise the commit of touched pages
# On SQLite a chunk's commit writes every page its rows touched; 2,000 new clients spread over
# a dozen indexes touch most of their pages, so each commit rewrites nearly all of them.
# Five times fewer commits is about half of a large import's cost there, and 25,000 rows
# another 2–12 % over 10,000 (with the collector paused; with it running, larger chunks
# only meant longer collector passes). A 100,000-row import reports progress 4 times.
SQLITE_CHUNK_SIZE = 25000
PREVIEW_CREATED = 200
SQLITE_CACHE_KIB = 128 * 1024
REPORT_COLUMNS = ("import_id", "row_no", "outcome", "client_id", "reason", "data", "before")


def _planned_client(session: Session, plan: RowPlan) -> Client:
    """The existing client an «update» row was matched with."""
    client = session.get(Client, plan.client_id)
    if client is None:  # deleted by someone else since the row was planned
        raise LookupError(f"Клиент #{plan.client_id} удалён во время импорта")
    return client


def _apply(session: Session, batch: ClientImport, plan: RowPlan) -> None:
    if plan.outcome == "created":
        client = Client(**plan.clean, owner_id=plan.owner_id, import_batch_id=batch.id)
        if plan.contact:
            client.contacts.append(Contact(**plan.contact))
        session.add(client)
        plan.target = client
    else:
        client = _planned_client(session, plan)
        for field, value in plan.changes.items():
            setattr(client, field, value)
        if plan.contact:
            contact = Contact(**plan.contact)
            client.contacts.append(contact)
            plan.added_contact = contact
        plan.target = client


def _db_reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()
    return "Не удалось сохранить строку: " + (text[0] if text else type(exc).__name__)


@contextmanager
def _page_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache that holds the pages a chunk touches while it is written.

    A chunk adds rows to a dozen indexes of ``client`` and to ``audit_log`` and the name
    tokens at random places; with SQLite's default 2 MB cache most pages are read again for
    every few rows. The size goes back afterwards, so an idle pooled connection keeps little.
    """
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def _write_fast(session: Session, batch: ClientImport, todo: list[RowPlan], actor_id: int | None,
                reason: str) -> None:
    created = [p for p in todo if p.outcome == "created"]
    cards = [({**p.clean, "owner_id": p.owner_id, "import_batch_id": batch.id, "search_name": p.search_name},
              p.contact) for p in created]
    ids = insert_clients(session, cards, actor_id=actor_id, reason=reason, now=utcnow())
    for plan, client_id in zip(created, ids, strict=True):
        plan.client_id = client_id
    for plan in todo:
        if plan.outcome == "updated":
            _apply(session, batch, plan)
    session.flush()


def apply_chunk(session: Session, batch: ClientImport, plans: list[RowPlan],
                actor_id: int | None = None, reason: str | None = None) -> None:
    """Write the chunk's created and updated clients; isolate rows the database refuses.

    New clients go in through ``models.clients.bulk_insert``; if the database
    refuses anything, the chunk's savepoint is rolled back and every row is written again
    through the ORM in a savepoint of its own.
    """
    todo = [p for p in plans if p.outcome in ("created", "updated")]
    if not todo:
        return
    try:
        with session.begin_nested(), _page_cache(session):
            _write_fast(session, batch, todo, actor_id, reason or "")
    except SQLAlchemyError:
        for plan in todo:
            plan.added_contact = None
            if plan.outcome == "created":
                plan.client_id = None
            try:
                with session.begin_nested():
                    _apply(session, batch, plan)
                    session.flush()
            except SQLAlchemyError as exc:
                plan.reject(_db_reason(exc))
            else:
                plan.client_id = plan.target.id
    for plan in todo:
        if plan.outcome == "updated" and plan.added_contact is not None:
            plan.before["_added_contacts"] = [plan.added_contact.id]


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


def record_chunk(session: Session, batch: ClientImport, plans: list[RowPlan], previewed: int) -> int:
    """Store the rows worth keeping and add the chunk to the batch counters."""
    rows: list[tuple] = []
    counts: Counter[str] = Counter()
    for plan in plans:
        keep = plan.outcome != "created" or plan.reason or (batch.dry_run and previewed < PREVIEW_CREATED)
        if plan.outcome == "created" and not plan.reason:
            previewed += 1
        if keep:
            rows.append((batch.id, plan.row_no, plan.outcome, plan.client_id, plan.reason, plan.cells,
                         _jsonable(plan.before) if plan.before else None))
        counts[plan.outcome] += 1
    write_rows(session, ImportRow.__table__, REPORT_COLUMNS, rows)
    for outcome, count in counts.items():
        counter = f"{outcome}_count"
        setattr(batch, counter, getattr(batch, counter) + count)
    batch.processed_rows += len(plans)
    return previewed


def _check_width(plan: RowPlan, width: int) -> bool:
    cells = plan.cells
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        plan.reject(f"В строке {len(cells)} полей, а в заголовке {width}: проверьте разделители и кавычки")
        return False
    if len(cells) < width:
        plan.reject(f"В строке {len(cells)} полей вместо {width}: строка обрезана или сломаны кавычки")
        return False
    return True


def _prepare(plans: list[RowPlan], width: int, mapping: dict[int, str], owners: OwnerLookup,
             actor: User | None) -> None:
    for plan in plans:
        if _check_width(plan, width):
            prepare_row(plan, mapping, owners, actor)


def _broken_rows(table: Any) -> list[RowPlan]:
    broken = []
    for line, message in table.broken:
        plan = RowPlan(line, [])
        plan.reject(message)
        broken.append(plan)
    return broken


def _overlapped(session: Session, chunks: Iterator[list[RowPlan]], write: Callable[[list[RowPlan]], None],
                prepare: Callable[..., None], mode: str, actor_id: int | None, batch_id: int) -> None:
    """Match each chunk through a second session while the writer thread writes the one before."""
    with reading_session(session, SQLITE_CACHE_KIB) as reader, ChunkWriter(write) as writer:
        actor = reader.get_one(User, actor_id) if actor_id is not None else None
        owners = OwnerLookup(reader)
        matcher = Matcher(reader, mode, actor, batch_id)
        for plans in chunks:
            prepare(plans, owners, actor)
            if mode == "update":  # a later row may match what the chunk in flight changes
                writer.wait()
                reader.commit()
                reader.expire_all()
            matcher.decide(plans)
            # Ends the read transaction; nothing is written through the reader. A commit, not a
            # rollback: the clients it loaded for «update» rows go to the writer thread, and a
            # rollback would expire them, so the writer would lazy-load through this session.
            reader.commit()
            writer.submit(plans)


def _overlaps(session: Session, overlap: bool | None) -> bool:
    if overlap is None:
        overlap = session.get_bind().dialect.name == "postgresql"
    return overlap and can_overlap(session)


def run_import(session: Session, batch: ClientImport, actor: User | None,
               on_chunk: Callable[[ClientImport], None] | None = None,
               now: Callable[[], datetime] | None = None, chunk_size: int | None = None,
               overlap: bool | None = False) -> ClientImport:
    """Run (or dry-run) ``batch`` as ``actor`` (None: the system, e.g. the CLI operator).

    ``chunk_size`` (rows per savepoint and ``on_chunk``) defaults to the database's own.
    ``overlap``: the caller has committed what the import must see and commits in ``on_chunk``,
    so chunk *k* may be written on a writer thread while chunk *k + 1* is checked and matched
    through a second session (``models.clients.imports.overlap``); the outcome is the same.
    ``None`` does so on PostgreSQL only, where it pays (the server ingests a chunk while
    Python matches the next); on SQLite most of the writing holds the GIL and the two
    threads measured no faster than one (README, «Benchmarks»). ``True`` overlaps on any
    database with a second connection.
    """
    if chunk_size is None:
        sqlite = session.get_bind().dialect.name == "sqlite"
        chunk_size = SQLITE_CHUNK_SIZE if sqlite else CHUNK_SIZE
    if isinstance(session, scoped_session):  # the writer thread needs the session itself
        session = session()
    table = read_table(batch.file_data, batch.file_name)
    mapping = {int(k): v for k, v in (batch.mapping or {}).items()}
    for counter in ("processed_rows", "created_count", "updated_count", "skipped_count", "rejected_count"):
        setattr(batch, counter, 0)
    batch.total_rows, batch.error = table.total, None
    batch_id, mode, dry_run, width = batch.id, batch.mode, batch.dry_run, len(table.headers)
    actor_id = actor.id if actor else None
    reason = f"Импорт #{batch_id} ({batch.file_name})"[:500]
    previewed = 0

    def write(plans: list[RowPlan]) -> None:
        nonlocal previewed
        if not dry_run:
            apply_chunk(session, batch, plans, actor_id, reason)
        previewed = record_chunk(session, batch, plans, previewed)
        if on_chunk:
            on_chunk(batch)

    def prepare(plans: list[RowPlan], owners: OwnerLookup, actor: User | None) -> None:
        _prepare(plans, width, mapping, owners, actor)

    def chunks() -> Iterator[list[RowPlan]]:  # made as they are needed: memory stays flat
        for start in range(0, len(table.rows), chunk_size):
            yield [RowPlan(n, cells) for n, cells in table.rows[start:start + chunk_size]]

    with acting_as(actor_id, reason=reason), paused_collector():
        previewed = record_chunk(session, batch, _broken_rows(table), previewed)
        if _overlaps(session, overlap) and len(table.rows) > chunk_size:
            _overlapped(session, chunks(), write, prepare, mode, actor_id, batch_id)
        else:
            owners = OwnerLookup(session)
            matcher = Matcher(session, mode, actor, batch_id)
            for plans in chunks():
                prepare(plans, owners, actor)
                matcher.decide(plans)
                write(plans)
    batch.status = "done"
    batch.finished_at = now() if now else utcnow()
    return batch
