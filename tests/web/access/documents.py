"""Who may reach the «documents» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "documents.approvals": EVERYONE,
    "documents.approve_start": EVERYONE,
    "documents.client_details": EVERYONE,
    "documents.diff": EVERYONE,
    "documents.download": EVERYONE,
    "documents.download_pdf": EVERYONE,
    "documents.generate": EVERYONE,
    "documents.index": EVERYONE,
    "documents.recall": EVERYONE,
    "documents.refill": EVERYONE,
    "documents.retry": EVERYONE,
    "documents.send_edo": EVERYONE,
    "documents.send_email": EVERYONE,
    "documents.sheet": EVERYONE,
    "documents.sheet_download": EVERYONE,
    "documents.show": EVERYONE,
    "documents.signoff": EVERYONE,
    "documents.signoff_code": EVERYONE,
    "documents.signoff_decide": EVERYONE,
    "documents.template_preview": only("back_office", "lawyer"),
    "documents.template_upload": only("back_office", "lawyer"),
    "documents.templates": EVERYONE,
    "documents.upload": EVERYONE,
}
