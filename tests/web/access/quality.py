"""Who may reach the «quality» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "quality.create_rule": only(),
    "quality.index": only("analyst", "head", "product_specialist", "senior_manager"),
    "quality.load_defaults": only(),
    "quality.losses": only("head", "senior_manager"),
    "quality.review": only("head", "senior_manager"),
    "quality.violations": only("analyst", "head", "product_specialist", "senior_manager"),
    "quality.rules": only(),
    "quality.toggle": only(),
}
