"""Writing one chunk of an import while the next one is checked and matched (two cores, one import).

An import spends about half its time in the database writing a chunk (SQLite's B-tree work,
PostgreSQL's COPY into indexed tables) and the rest in Python checking and matching rows.
The drivers release the GIL while the database works (``sqlite3_step``, psycopg waiting on
the server), so a writer thread can write chunk *k* through the caller's session while the
import's own thread checks and matches chunk *k + 1* through a second, read-only session.

What keeps the outcome the same as writing chunk by chunk:

* one chunk is in flight at a time, and chunks are written (and ``on_chunk`` called,
  which commits in the job and the CLI) in file order on the writer thread;
* matching never depends on the chunks not yet committed: the rows of earlier chunks are
  in the matcher's in-memory index, and the base lookups leave this import's own clients
  out (``Matcher.batch_id``); in «update» mode, where a chunk changes existing clients a
  later row may match, the next chunk is matched only after the previous one committed;
* the caller's session is used by one thread at a time: from the first submitted chunk to
  the end (or an error) only the writer touches it; an error on either side waits for the
  chunk in flight and is raised in the import's thread, with the writer's error first;
* the writer runs in a copy of the import's context (``acting_as``'s actor and reason, the
  Flask app context), so audit rows and scoped sessions are the same as without it.

It is used only when the caller commits in ``on_chunk`` (the job, the CLI, the bench) and the
database has more than one connection (not an in-memory SQLite).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session


def can_overlap(session: Session) -> bool:
    """Whether a second connection sees what this session commits (not an in-memory SQLite)."""
    url = session.get_bind().engine.url
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


@contextmanager
def reading_session(session: Session, sqlite_cache_kib: int = 0) -> Iterator[Session]:
    """A second session, on a connection of its own, for the import's lookups.

    Objects stay loaded across its commits (users, owners); the import commits it after every
    chunk, which ends its read transaction, so SQLite's WAL can be checkpointed and the next
    lookups see what the writer committed. On SQLite the connection gets the page cache the
    writer has (``sqlite_cache_kib``): the lookups probe the same indexes, and with the default
    2 MB cache each probe would read its pages again.
    """
    with session.get_bind().engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite" and sqlite_cache_kib > 0
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar() if sqlite else None
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size = -{int(sqlite_cache_kib)}")
        conn.commit()
        reader = Session(bind=conn, expire_on_commit=False, autoflush=False)
        try:
            yield reader
        finally:
            reader.close()
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")
                conn.commit()


class ChunkWriter:
    """Runs ``write(chunk)`` on one writer thread, one chunk in flight at a time."""

    def __init__(self, write: Callable[[Any], None]) -> None:
        self._write = write
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="client-import-writer")
        self._pending: Future[None] | None = None

    def wait(self) -> None:
        """Block until the chunk in flight is written; raise its error if it failed."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def submit(self, chunk: Any) -> None:
        """Write ``chunk`` on the writer thread once the previous chunk is written."""
        self.wait()
        context = contextvars.copy_context()
        self._pending = self._pool.submit(context.run, self._write, chunk)

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc is None:
                self.wait()
            elif self._pending is not None:
                # The import's thread failed: let the chunk in flight finish (the caller's
                # session must be idle before the caller rolls it back); its own error wins.
                pending, self._pending = self._pending, None
                writer_error = pending.exception()
                if writer_error is not None:
                    raise writer_error from exc
        finally:
            self._pool.shutdown(wait=True)
