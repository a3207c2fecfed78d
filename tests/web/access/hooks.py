"""Who may reach the «hooks» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "hooks.mango_event": PUBLIC,
    "hooks.telegram_update": Row(frozenset([]), public=True),
}
