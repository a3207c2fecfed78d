"""Who may reach the «leads» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "leads.index": EVERYONE,
    "leads.new GET": EVERYONE,
    "leads.new POST": only("manager", "senior_manager", "back_office", "head"),
    "leads.outcome": EVERYONE,
    "leads.reassign": EVERYONE,
    "leads.show": EVERYONE,
}
