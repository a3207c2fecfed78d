"""Where searchable texts come from: sources packages declare, and the records that guard them.

A source is a mapped class and a function that says what of one of its rows is
searchable (``IndexedText``) or ``None`` (nothing to index: an empty note). The search
package listens to every flush and mirrors new, changed and deleted rows of the declared
classes into ``search_text`` in the same transaction, so the index never lags. Packages
declare their sources in their own ``register`` with ``declare_source`` — this package
declares comments, activities, client notes and tasks; the department requests declare
their thread; documents and contracts will declare their texts the same way.

Who may read a text is decided by the record it is about (``object_type``/``object_id``):
``declare_guard`` names the mapped class of each object type, and a hit is shown only when
``can_access(user, record, "view")`` says so for that record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.platform.registry import Registry, installed

SOURCE_PREFIX = "search.source:"
GUARD_PREFIX = "search.guard:"


@dataclass(frozen=True)
class IndexedText:
    """What one record contributes to the search: its text and what the text is about."""

    object_type: str
    object_id: int
    body: str
    title: str = ""
    client_id: int | None = None
    deal_id: int | None = None
    author_id: int | None = None
    owner_id: int | None = None
    tag: str | None = None
    product: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class TextSource:
    """A kind of searchable text: ``code`` (the filter value), its Russian label, the mapped class.

    ``extract(session, row)`` gives the row's ``IndexedText`` (or None); ``watch`` lists the
    attributes whose change re-indexes the row (empty: any change).
    """

    code: str
    label: str
    model: type
    extract: Callable[[Session, Any], IndexedText | None]
    watch: frozenset[str] = frozenset()


def declare_source(registry: Registry, source: TextSource) -> None:
    registry.service(SOURCE_PREFIX + source.code, source)


def declare_guard(registry: Registry, object_type: str, model: type) -> None:
    """Texts about ``object_type`` are readable by whoever may view that record of ``model``."""
    registry.service(GUARD_PREFIX + object_type, model)


def sources() -> list[TextSource]:
    return [s for name, s in installed().services.items() if name.startswith(SOURCE_PREFIX)]  # type: ignore[misc]


def source_labels() -> dict[str, str]:
    return {s.code: s.label for s in sources()}


def guards() -> dict[str, type]:
    return {name[len(GUARD_PREFIX):]: m for name, m in installed().services.items()  # type: ignore[misc]
            if name.startswith(GUARD_PREFIX)}
