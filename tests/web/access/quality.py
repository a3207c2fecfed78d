"""Who may reach the «quality» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "quality.create_rule": only(),
    "quality.index": only("analyst", "head", "product_specialist", "senior_manager"),
    "quality.load_defaults": only(),
    "quality.rules": only(),
    "quality.toggle": only(),
}
