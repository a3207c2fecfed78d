"""Who may reach the «api_contracts» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_contracts.contracts_create": EVERYONE,
    "api_contracts.contracts_get": EVERYONE,
    "api_contracts.contracts_import": only("back_office"),
    "api_contracts.contracts_list": EVERYONE,
    "api_contracts.contracts_pay": EVERYONE,
    "api_contracts.contracts_renewals": EVERYONE,
    "api_contracts.contracts_risk_settings": only("analyst", "head", "product_specialist", "senior_manager"),
    "api_contracts.contracts_risk_settings_put": only("head"),
}
