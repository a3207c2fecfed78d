"""Who may reach the «api_collaboration» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_collaboration.client_timeline": EVERYONE,
    "api_collaboration.create_request": EVERYONE,
    "api_collaboration.deal_timeline": EVERYONE,
    "api_collaboration.get_request": EVERYONE,
    "api_collaboration.list_requests": EVERYONE,
    "api_collaboration.post_to_thread": EVERYONE,
}
