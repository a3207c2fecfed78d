"""Who may reach the «integrations» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "integrations.attachment": EVERYONE,
    "integrations.check": only(),
    "integrations.dial": EVERYONE,
    "integrations.extension": only(),
    "integrations.index": only(),
    "integrations.mail_reply": EVERYONE,
    "integrations.mail_triage": only("back_office", "head", "manager", "senior_manager"),
    "integrations.mail_triage_action": only("back_office", "head", "manager", "senior_manager"),
    "integrations.onec_invoice": EVERYONE,
    "integrations.onec_resolve": only(),
    "integrations.recording": EVERYONE,
    "integrations.show": only(),
    "integrations.spark_request": EVERYONE,
    "integrations.telegram_code": EVERYONE,
    "integrations.telegram_link": EVERYONE,
    "integrations.telegram_unlink": EVERYONE,
    "integrations.webhook_active": only(),
    "integrations.webhook_redeliver": only(),
    "integrations.webhook_subscribe": only(),
}
