"""Who may reach the «search» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "search.index": EVERYONE,
    "search.quick": EVERYONE,
}
