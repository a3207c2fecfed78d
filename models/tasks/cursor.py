"""Where the next inbox page starts: a keyset cursor over the merged process and ad-hoc tasks.

The inbox merges two index ranges (``human_task`` and ``task``) sorted by due date — by completion
for done tasks — then by kind and id. Paging by offset would read and throw away every earlier
row of both tables on each later page; the cursor names the last row shown instead, and each
table's range starts right after it, so page 200 costs what page 1 does. The token in links and
in the API is ``<UTC moment as YYYYMMDDTHHMMSSffffff, or ->~<kind>~<id>``: nothing in it needs
escaping in a URL, and the server checks it like any input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import QueryableAttribute

Column = ColumnElement[Any] | QueryableAttribute[Any]  # a table's column, as an expression

_STAMP = "%Y%m%dT%H%M%S%f"


class BadCursor(ValueError):
    """A page token that this server did not make."""


@dataclass(frozen=True)
class InboxCursor:
    """The last row of a page: its due (or completion) moment, its kind and its id."""

    moment: datetime | None
    kind: str
    id: int

    def token(self) -> str:
        stamp = self.moment.astimezone(UTC).strftime(_STAMP) if self.moment else "-"
        return f"{stamp}~{self.kind}~{self.id}"

    @classmethod
    def parse(cls, token: str) -> InboxCursor:
        """The cursor of a token from a link or the API; ``BadCursor`` for anything else."""
        parts = token.split("~")
        if len(parts) != 3 or not parts[2].isdigit() or parts[1] not in ("process", "adhoc"):
            raise BadCursor("Неверная ссылка на страницу списка")
        try:
            moment = None if parts[0] == "-" else datetime.strptime(parts[0], _STAMP).replace(tzinfo=UTC)
        except ValueError as exc:
            raise BadCursor("Неверная ссылка на страницу списка") from exc
        return cls(moment, parts[1], int(parts[2]))


def after_open(
    cursor: InboxCursor, kind: str, due: Column, row_id: Column,
) -> ColumnElement[bool]:
    """Rows of table ``kind`` after ``cursor`` in the open sections: ``(due or ∞, kind, id)`` ascending."""
    later_in_tie = _tie(kind, cursor, row_id, ascending=True)
    if cursor.moment is None:  # the cursor is among the tasks with no due date, which come last
        return and_(due.is_(None), later_in_tie)
    return or_(due.is_(None), due > cursor.moment, and_(due == cursor.moment, later_in_tie))


def after_done(
    cursor: InboxCursor, kind: str, done: Column, row_id: Column,
) -> ColumnElement[bool]:
    """Rows of table ``kind`` after ``cursor`` among completed tasks: ``(completed, kind, id)`` descending."""
    if cursor.moment is None:
        return false()
    return or_(done < cursor.moment, and_(done == cursor.moment, _tie(kind, cursor, row_id, ascending=False)))


def _tie(kind: str, cursor: InboxCursor, row_id: Column, *, ascending: bool) -> ColumnElement[bool]:
    """Among rows of one moment: the later kind entirely, or the same kind past the id."""
    if kind == cursor.kind:
        return row_id > cursor.id if ascending else row_id < cursor.id
    return true() if (kind > cursor.kind) == ascending else false()
