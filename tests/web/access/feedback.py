"""Who may reach the «feedback» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "feedback.answer": PUBLIC,
    "feedback.nps": only("analyst", "head", "product_specialist", "senior_manager"),
    "feedback.survey": PUBLIC,
}
