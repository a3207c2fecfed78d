"""Who may reach the «insurance» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "insurance.client": EVERYONE,
    "insurance.import_form": only("back_office"),
    "insurance.import_report_csv": only("back_office"),
    "insurance.import_result": only("back_office"),
    "insurance.import_upload": only("back_office"),
}
