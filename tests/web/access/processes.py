"""Who may reach the «processes» routes (role × endpoint table, see ``tests/web/access``)."""

from tests.web.access import EVERYONE, PUBLIC, Row, only  # noqa: F401

ROWS: dict[str, Row] = {
    "processes.cancel": only(),
    "processes.index": only("analyst"),
    "processes.instance": only("analyst"),
    "processes.instances": only("analyst"),
    "processes.retry": only(),
    "processes.source": only("analyst"),
}
