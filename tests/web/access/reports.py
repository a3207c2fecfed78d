"""Who may reach the «reports» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "reports.coaching": EVERYONE,
    "reports.custom_create": EVERYONE,
    "reports.custom_csv": EVERYONE,
    "reports.custom_delete": EVERYONE,
    "reports.custom_list": EVERYONE,
    "reports.custom_new": EVERYONE,
    "reports.custom_show": EVERYONE,
    "reports.custom_xlsx": EVERYONE,
    "reports.export_docs": EVERYONE,
    "reports.index": EVERYONE,
    "reports.kpi": EVERYONE,
    "reports.kpi_close": only("head"),
    "reports.kpi_formula": only("head"),
    "reports.part": EVERYONE,
    "reports.plans": EVERYONE,
    "reports.save_plan": only("head"),
    "reports.subscription_active": EVERYONE,
    "reports.subscription_create": EVERYONE,
    "reports.subscription_send_now": EVERYONE,
    "reports.subscriptions": EVERYONE,
    "reports.unsubscribe": EVERYONE,
    "reports.unsubscribe_page": EVERYONE,
    "reports.weekly": EVERYONE,
}
