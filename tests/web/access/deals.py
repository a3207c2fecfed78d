"""Who may reach the «deals» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "deals.activity": EVERYONE,
    "deals.add_loss_reason": only(),
    "deals.board_move": EVERYONE,
    "deals.edit": EVERYONE,
    "deals.funnel_settings": only(),
    "deals.index": EVERYONE,
    "deals.reassign": only("senior_manager", "head"),
    "deals.show": EVERYONE,
    "deals.stage": EVERYONE,
    "deals.update_stage": only(),
    "deals.workload_page": only("senior_manager", "head"),
}
