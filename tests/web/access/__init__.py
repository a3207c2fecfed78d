"""The role × endpoint table: one module per blueprint, each with ``ROWS``.

A row says who may reach an endpoint (``PUBLIC``, ``EVERYONE`` logged in, or a set of
roles); ``tests/web/test_role_endpoint_table.py`` requests every route of ``app.url_map`` as
every role and as an anonymous visitor and fails for a route without a row. A package
adding routes adds rows in a module of its own here (``access/<blueprint>.py``), so
parallel branches do not edit the same file.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from models.platform.roles import Role

ALL_ROLES = frozenset(r.value for r in Role)


@dataclass(frozen=True)
class Row:
    """Who may reach an endpoint; ``public``: also without logging in."""

    roles: frozenset[str] = ALL_ROLES
    public: bool = False


PUBLIC = Row(public=True)
EVERYONE = Row()


def only(*roles: str) -> Row:
    return Row(frozenset(roles) | {Role.ADMIN.value})


def all_rows() -> dict[str, Row]:
    """Every module's ``ROWS`` merged (an endpoint in two modules is an error)."""
    rows: dict[str, Row] = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        for endpoint, row in importlib.import_module(f"{__name__}.{module.name}").ROWS.items():
            assert endpoint not in rows, f"{endpoint} has two rows"
            rows[endpoint] = row
    return rows
