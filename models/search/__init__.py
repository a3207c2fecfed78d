"""Full-text search over everything written in the CRM, with Russian morphology and record rights.

Texts come from sources the packages declare (``sources.declare_source``) and are mirrored
into ``search_text`` by a flush hook (``indexer``); PostgreSQL searches them with a
``tsvector('russian')`` GIN index, SQLite with an FTS5 table of Snowball stems (``texts``);
``service.search`` applies filters and every hit's record rule. ``GET /api/v1/search`` and
the page ``/search`` call it.
"""

from __future__ import annotations

from models.platform.registry import Registry
from models.search import builtin
from models.search.indexer import install_hook


def register(registry: Registry) -> None:
    builtin.register(registry)
    install_hook()
