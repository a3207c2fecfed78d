"""Numbers typed by people or machines: record ids, page numbers, limits (issue 14, defect 4).

``str.isdigit()`` accepts «²» and «٣» (``int()`` then fails or reads a digit nobody typed),
and an id past the database's integer (2³¹ − 1 for PostgreSQL's ``integer``, 2⁶³ − 1 for
SQLite) makes the query itself fail. Every id, page and limit read from a request goes
through ``parse_int`` instead: ASCII digits only, bounded, otherwise ``None``.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError

MAX_ID = 2**31 - 1  # the largest value of PostgreSQL's integer, which every id column is


def parse_int(text: object, maximum: int = MAX_ID) -> int | None:
    """The non-negative integer ``text`` spells in ASCII digits, if it is at most ``maximum``."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text <= maximum else None
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


# What a database raises for a number past its integer that reached a query anyway:
# SQLite's driver an ``OverflowError``, PostgreSQL a ``DataError`` (numeric value out of range).
OUT_OF_RANGE_ERRORS: tuple[type[Exception], ...] = (OverflowError, DataError)
