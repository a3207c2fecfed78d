"""Who may reach the «intake» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "intake.form": PUBLIC,
    "intake.lead": PUBLIC,
    "intake.privacy_policy": PUBLIC,
}
