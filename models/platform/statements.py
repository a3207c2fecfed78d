"""A hook on every SQL statement any engine runs, for counting them (the ``Server-Timing`` header).

The web package does not import SQLAlchemy (``tests/web/test_views_are_thin.py``), so the one
listener it needs lives here; installing it twice adds it once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def on_every_statement(callback: Callable[..., Any]) -> None:
    """Call ``callback`` before each statement of every engine (its arguments are SQLAlchemy's)."""
    if not event.contains(Engine, "before_cursor_execute", callback):
        event.listen(Engine, "before_cursor_execute", callback)
