"""Who may reach the «admin» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "admin.absence": only(),
    "admin.create": only(),
    "admin.delete_absence": only(),
    "admin.edit": only(),
    "admin.privacy": only(),
    "admin.privacy_erase": only(),
    "admin.privacy_export": only(),
    "admin.update": only(),
    "admin.users": only(),
}
