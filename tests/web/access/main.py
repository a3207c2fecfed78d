"""Who may reach the «main» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import PUBLIC, Row, only

ROWS: dict[str, Row] = {
    "main.healthz": PUBLIC,
    "main.healthz_details": only(),
}
