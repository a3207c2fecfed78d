"""Who may reach the «api_clients» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_clients.create": only("manager", "senior_manager", "back_office", "head"),
    "api_clients.duplicates": EVERYONE,
    "api_clients.get": EVERYONE,
    "api_clients.list_clients": EVERYONE,
    "api_clients.merge": EVERYONE,
    "api_clients.patch": EVERYONE,
}
