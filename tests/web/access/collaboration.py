"""Who may reach the «collaboration» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "collaboration.client_timeline": EVERYONE,
    "collaboration.comment": EVERYONE,
    "collaboration.create_request": EVERYONE,
    "collaboration.deal_timeline": EVERYONE,
    "collaboration.examples": EVERYONE,
    "collaboration.mark": EVERYONE,
    "collaboration.new_request": EVERYONE,
    "collaboration.request": EVERYONE,
    "collaboration.requests_journal": EVERYONE,
}
