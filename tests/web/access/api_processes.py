"""Who may reach the «api_processes» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_processes.get_instance": only("analyst"),
    "api_processes.post_message": EVERYONE,
    "api_processes.start_instance": only(),
}
