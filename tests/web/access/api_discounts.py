"""Who may reach the «api_discounts» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_discounts.approved": EVERYONE,
    "api_discounts.log": EVERYONE,
    "api_discounts.quote": EVERYONE,
    "api_discounts.requests_answer": EVERYONE,
    "api_discounts.requests_create": EVERYONE,
    "api_discounts.requests_decide": EVERYONE,
    "api_discounts.requests_get": EVERYONE,
    "api_discounts.requests_list": EVERYONE,
    "api_discounts.requests_recall": EVERYONE,
    "api_discounts.violations_list": only("senior_manager", "product_specialist", "head", "analyst"),
}
