"""Views parse, call one service, render: no commits, queries or notifications in ``web/``.

The unit of work around every view (``web.transactions``) and every command
(``web.cli.in_unit_of_work``) is the only transaction boundary of the web layer; reading
and writing data is the domain packages' job. This scans the web layer's source for the
things that belong elsewhere, so a new view cannot quietly bring them back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
# The app factory wires SQLAlchemy itself (SQLite pragmas); the scheduler makes job sessions.
WIRING = {"__init__.py", "scheduler.py"}
FORBIDDEN = {
    "commit or roll back": re.compile(r"\.(commit|rollback)\(\)"),
    "build a query": re.compile(r"(?<![\w.])select\("),
    "touch the session": re.compile(
        r"\bdb\.session\.(get|scalar|scalars|execute|add|add_all|delete|flush|query)\("),
    "import SQLAlchemy": re.compile(r"^\s*(from|import) sqlalchemy\b", re.MULTILINE),
    "notify someone": re.compile(r"\bnotify(_\w+)?\("),
}


def _web_modules() -> list[Path]:
    return sorted(p for p in WEB.rglob("*.py") if p.relative_to(WEB).as_posix() not in WIRING)


@pytest.mark.nodb
@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_web_modules_do_not(what: str) -> None:
    pattern = FORBIDDEN[what]
    offenders = []
    for path in _web_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(WEB.parent)}:{number}: {line.strip()}")
    assert offenders == [], f"web/ must not {what}:\n" + "\n".join(offenders)
