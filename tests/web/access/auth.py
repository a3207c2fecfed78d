"""Who may reach the «auth» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "auth.create_token": EVERYONE,
    "auth.login": PUBLIC,
    "auth.logout": EVERYONE,
    "auth.logout_everywhere": EVERYONE,
    "auth.revoke_token": EVERYONE,
    "auth.tokens": EVERYONE,
}
