"""Who may reach the «contracts» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "contracts.import_form": EVERYONE,
    "contracts.import_upload": only("back_office"),
    "contracts.pay": EVERYONE,
    "contracts.renewals": EVERYONE,
    "contracts.risk_settings": only("analyst", "head", "product_specialist", "senior_manager"),
    "contracts.risk_settings_save": only("head"),
    "contracts.show": EVERYONE,
}
