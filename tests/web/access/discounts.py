"""Who may reach the «discounts» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "discounts.answer": EVERYONE,
    "discounts.ask": EVERYONE,
    "discounts.index": EVERYONE,
    "discounts.log": EVERYONE,
    "discounts.open_task": EVERYONE,
    "discounts.recall": EVERYONE,
    "discounts.show": EVERYONE,
}
