"""Whether the database answers and which migration it is on (the ``/healthz`` check).

Load balancers and deploy scripts ask this; it reads Alembic's own table, so a database
that is reachable but not migrated is reported as unhealthy too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Health:
    """The database kind, the applied migration head(s) (``None``: none), the error met, if any."""

    database: str
    migration: str | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Reachable and migrated."""
        return self.error is None and self.migration is not None


def database_health(session: Session) -> Health:
    """Ask the database for the applied migration heads; a failing query is reported, not raised.

    After a failure the session's transaction is unusable until rolled back: the caller's
    unit of work does that (the answer is an error status).
    """
    kind = session.get_bind().dialect.name
    try:
        heads = session.scalars(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError as exc:
        return Health(kind, None, type(exc).__name__)
    return Health(kind, ",".join(sorted(heads)) or None)
