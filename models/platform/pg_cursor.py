"""A psycopg cursor whose ``description`` is built only when someone reads it.

psycopg 3 builds ``cursor.description`` anew on every access: a ``Column`` object per result
column, each decoding the name and asking the connection's encoding and type registry
(psycopg/psycopg#446; the proposed fix, PR #1240, was not released as of 3.3.9). SQLAlchemy
reads ``description`` after every statement, but once a statement's result layout is cached
(every statement it has compiled before) it only asks whether there *is* a description, not
what it holds. Building it was 5–9 % of a page's CPU on PostgreSQL (the wide ORM selects of
the deals list, the client search, the deals API; measured with py-spy).

``LazyDescriptionCursor.description`` returns a sequence that knows its length at once and
builds the very same ``Column`` objects on first look. A description kept past the cursor's
next statement still describes its own result (it holds that result, not the cursor's current
one). Installed as the ``cursor_factory`` of the application's PostgreSQL connections
(``web._flask_config``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import Column
from psycopg.pq import ExecStatus

_ROW_STATUSES = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class _ResultSource:
    """What ``Column`` reads from a cursor, for a result the cursor has since moved past."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, result: Any, cursor: psycopg.Cursor[Any]) -> None:
        self.pgresult = result
        self._encoding = cursor._encoding
        self.adapters = cursor.adapters


class LazyDescription(Sequence[Column]):
    """``cursor.description`` of one result: its columns, built on first read."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: psycopg.Cursor[Any], result: Any) -> None:
        self._cursor: psycopg.Cursor[Any] | None = cursor
        self._result = result
        self._columns: list[Column] | None = None

    def _built(self) -> list[Column]:
        if self._columns is None:
            cursor = self._cursor
            assert cursor is not None
            source: Any = cursor if cursor.pgresult is self._result else _ResultSource(self._result, cursor)
            self._columns = [Column(source, i) for i in range(self._result.nfields)]
            self._cursor = None
        return self._columns

    def __len__(self) -> int:
        return int(self._result.nfields)

    @overload
    def __getitem__(self, index: int) -> Column: ...

    @overload
    def __getitem__(self, index: slice) -> list[Column]: ...

    def __getitem__(self, index: int | slice) -> Column | list[Column]:
        return self._built()[index]

    def __iter__(self) -> Iterator[Column]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self._built()) == list(other)

    __hash__ = None  # type: ignore[assignment]  # a list-like value, as psycopg's own description

    def __repr__(self) -> str:
        return repr(self._built())


class LazyDescriptionCursor(psycopg.Cursor[Any]):
    """psycopg's client cursor; only ``description`` differs (built when read, see the module)."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        result = self.pgresult
        # As psycopg: a description when the result has columns or says it returns rows ("SELECT;").
        if result and (result.nfields or result.status in _ROW_STATUSES):
            return LazyDescription(self, result)
        return None
