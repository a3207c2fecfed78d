"""Several small reads of one page in one round trip: a UNION ALL of SELECTs of different tables.

Why: every statement is a round trip to the database; in one process on PostgreSQL a statement
that waits for the server costs 0.15–0.3 ms of CPU besides its own work (the driver, and the
worker's caches cold after the wait), more than most of these reads cost the server. Under a
full server load the cores never idle and the saving is much smaller (the twentieth stop of
issue 15: inbox, home and client card ≈ 0.2–0.6 ms each), and building the UNION can cost more
than the round trips it saves — hence ``Together``, built once and kept. A page that asks for the
names of four kinds of objects, or for a client's likely duplicates by INN, phone, name and the
pairs marked «не дубликат», asks once instead of four or five times.

Each member keeps its own WHERE, ORDER BY and LIMIT (it is read as a subquery: its order picks
the rows its limit keeps, the order they come back in is not promised) and has the same
shape: a key column (an id), then up to ``PARTS`` columns, which travel as text — a UNION ALL needs
one type per column and PostgreSQL does not mix numbers with text; a member's rows come back in
its own width, without the padding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Select, String, literal, null, select, union_all
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

PARTS = 3  # the most columns a member has besides its key


@dataclass(frozen=True)
class Together:
    """The members as one statement, and each member's width (its columns after the key).

    Building it costs more CPU than running it on a warm server (a subquery and a column
    collection per member: ~0.1 ms each), so a caller whose members have a fixed shape builds it
    once with bound parameters (``bindparam``, ``expanding=True`` for lists) and keeps it; see
    ``models.platform.labels``."""

    statement: Select | CompoundSelect
    widths: dict[str, int]

    def read(self, session: Session,
             params: Mapping[str, Any] | None = None) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of each member (key, then its parts as text or None) by the member's name; a
        member with no rows maps to an empty list."""
        found: dict[str, list[tuple[Any, ...]]] = {name: [] for name in self.widths}
        for name, key, *parts in session.execute(self.statement, dict(params or {})):
            found[name].append((key, *parts[:self.widths[name]]))
        return found


def together(members: Mapping[str, Select]) -> Together:
    """``members`` (at least one) shaped alike and joined by UNION ALL."""
    if not members:
        raise ValueError("нечего читать")
    widths: dict[str, int] = {}
    shaped = []
    for name, stmt in members.items():
        inner = stmt.subquery()
        key, *parts = inner.c
        if len(parts) > PARTS:
            raise ValueError(f"«{name}»: {len(parts)} столбцов после ключа, не больше {PARTS}")
        widths[name] = len(parts)
        texts = [sql_cast(part, String) for part in parts] + [sql_cast(null(), String)] * (PARTS - len(parts))
        shaped.append(select(literal(name, String), key, *texts))
    return Together(shaped[0] if len(shaped) == 1 else union_all(*shaped), widths)


def read_together(session: Session, members: Mapping[str, Select]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of each member SELECT (key, then its parts as text or None), by the member's name,
    read in one statement; nothing asked, nothing read."""
    return together(members).read(session) if members else {}
