"""Domain models and rules of the CRM.

Importing this package registers every model on the shared metadata, so Alembic and
the tests see the whole schema. Nothing here imports Flask request state: callers pass
sessions, clocks and actors explicitly.
"""

from models import (  # noqa: F401  (register models and hooks)
    activities,
    audit,
    client_duplicates,
    client_import,
    client_index,
    client_merge,
    clients,
    comments,
    deals,
    funnels,
    intake_limits,
    leads,
    notifications,
    processes,
    routing,
    sales_access,
    task_access,
    task_actions,
    task_templates,
    tasks,
    users,
)
from models.base import Base, db

__all__ = ["Base", "db"]
