"""Who may reach the «api_tasks» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_tasks.claim_task": EVERYONE,
    "api_tasks.comment": EVERYONE,
    "api_tasks.complete": EVERYONE,
    "api_tasks.create": EVERYONE,
    "api_tasks.get_task": EVERYONE,
    "api_tasks.list_tasks": EVERYONE,
    "api_tasks.reassign_task": EVERYONE,
}
