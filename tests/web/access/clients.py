"""Who may reach the «clients» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "clients.bulk": only("manager", "senior_manager", "back_office", "head"),
    "clients.check_registry": EVERYONE,
    "clients.create": only("manager", "senior_manager", "back_office", "head"),
    "clients.create_contact": EVERYONE,
    "clients.duplicates_check": EVERYONE,
    "clients.edit": EVERYONE,
    "clients.edit_contact": EVERYONE,
    "clients.export_csv": EVERYONE,
    "clients.export_xlsx": EVERYONE,
    "clients.import_batch": only("back_office"),
    "clients.import_form": only("back_office"),
    "clients.import_report": only("back_office"),
    "clients.import_revert": only("back_office"),
    "clients.import_start": only("back_office"),
    "clients.import_status": only("back_office"),
    "clients.import_upload": only("back_office"),
    "clients.history": EVERYONE,
    "clients.index": EVERYONE,
    "clients.merge": EVERYONE,
    "clients.merge_form": EVERYONE,
    "clients.new": only("manager", "senior_manager", "back_office", "head"),
    "clients.new_contact": EVERYONE,
    "clients.not_duplicate": EVERYONE,
    "clients.remove_contact": EVERYONE,
    "clients.save_contact": EVERYONE,
    "clients.search_json": EVERYONE,
    "clients.show": EVERYONE,
    "clients.update": EVERYONE,
}
