"""The one transaction boundary: everything a request, command or job changed is committed here or not at all.

Services and the engine only add to the session they are given; the edge that called them
— a view (through ``web.transactions``), an API call, a CLI command, a scheduler job (through
``models.platform.jobs.run_unit``) — wraps the work in ``unit_of_work``. The block either
ends normally and everything is committed, or raises (or is discarded, e.g. because the
response is an error page) and everything is rolled back, so a failure never leaves half
of a change behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


class UnitOfWork:
    """A handle on the open unit of work; ``discard()`` rolls it back instead of committing."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.discarded = False

    def discard(self) -> None:
        """Throw away what the block changed (the caller decided the work failed)."""
        self.discarded = True

    def checkpoint(self) -> None:
        """Commit what is done so far and go on in the same unit (long batch work, chunk by chunk)."""
        self.session.commit()


@contextmanager
def unit_of_work(session: Session) -> Iterator[UnitOfWork]:
    """Commit what the block added to ``session``; roll everything back if it raises or discards."""
    work = UnitOfWork(session)
    try:
        yield work
    except BaseException:
        session.rollback()
        raise
    if work.discarded:
        session.rollback()
    else:
        session.commit()
