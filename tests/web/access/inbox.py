"""Who may reach the «inbox» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "inbox.apply_template_view": EVERYONE,
    "inbox.claim_task": EVERYONE,
    "inbox.comment_task": EVERYONE,
    "inbox.complete_process_task": EVERYONE,
    "inbox.create": EVERYONE,
    "inbox.create_template_view": EVERYONE,
    "inbox.index": EVERYONE,
    "inbox.new_task": EVERYONE,
    "inbox.notification_preferences": EVERYONE,
    "inbox.notifications": EVERYONE,
    "inbox.notifications_read": EVERYONE,
    "inbox.process_task": EVERYONE,
    "inbox.reassign_task": EVERYONE,
    "inbox.release_task": EVERYONE,
    "inbox.task": EVERYONE,
    "inbox.task_status": EVERYONE,
    "inbox.templates": EVERYONE,
}
