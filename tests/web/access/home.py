"""Who may reach the «home» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row

ROWS: dict[str, Row] = {
    "home.favicon": PUBLIC,
    "home.index": EVERYONE,
}
