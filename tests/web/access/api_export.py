"""Who may reach the «api_export» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_export.export": only("analyst", "head", "product_specialist", "senior_manager"),
}
