"""Who may reach the «api_documents» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "api_documents.documents_download": EVERYONE,
    "api_documents.documents_generate": EVERYONE,
    "api_documents.documents_get": EVERYONE,
    "api_documents.documents_list": EVERYONE,
    "api_documents.documents_send": EVERYONE,
    "api_documents.documents_start_approval": EVERYONE,
    "api_documents.documents_upload": EVERYONE,
}
