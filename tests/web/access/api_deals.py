"""Who may reach the «api_deals» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_deals.DealItem": EVERYONE,
    "api_deals.Deals": EVERYONE,
    "api_deals.add_activity": EVERYONE,
    "api_deals.move": EVERYONE,
}
