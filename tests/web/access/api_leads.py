"""Who may reach the «api_leads» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_leads.Leads GET": EVERYONE,
    "api_leads.Leads POST": only("manager", "senior_manager", "back_office", "head"),
    "api_leads.get_lead": EVERYONE,
}
