"""What a process's own package adds to its tasks' page and completion: a context panel and checks.

The inbox shows every process task with one page and completes it with one service; a
process with more to show or check than its form (the discount sign-off shows the deal's
insurance context and refuses a counter-offer above the requested discount) declares, in
its package's ``register``:

- ``declare_panel(registry, process_key, provider)``: ``provider(session, user, row)`` returns
  what the task page shows above the form (drawn by the template ``panels/<process_key>.html``),
  or None;
- ``declare_check(registry, process_key, check)``: ``check(session, user, row, data)`` returns
  Russian messages per field; any message refuses the completion (422) before the engine runs,
  on every path (the task page, the API, cards that complete tasks).

Both are registry services (``Registry.service``) named after the process, so nothing is
wired by import and a process without them works as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.platform.registry import Registry, installed

PanelProvider = Callable[[Session, Any, HumanTask], Any]
TaskCheck = Callable[[Session, Any, HumanTask, dict], dict[str, list[str]]]


@dataclass(frozen=True)
class TaskPanel:
    """A process's context panel: ``name`` picks the template (``panels/<name>.html``), ``data`` is its."""

    name: str
    data: Any


def _panel_key(process_key: str) -> str:
    return f"tasks.panel:{process_key}"


def _check_key(process_key: str) -> str:
    return f"tasks.check:{process_key}"


def declare_panel(registry: Registry, process_key: str, provider: PanelProvider) -> None:
    registry.service(_panel_key(process_key), provider)


def declare_check(registry: Registry, process_key: str, check: TaskCheck) -> None:
    registry.service(_check_key(process_key), check)


def panel_for(session: Session, user: Any, row: HumanTask) -> TaskPanel | None:
    """The panel the task's process declared, filled for ``user``; None when there is none."""
    provider = installed().services.get(_panel_key(row.process_key))
    if provider is None:
        return None
    data = provider(session, user, row)  # type: ignore[operator]
    return TaskPanel(row.process_key, data) if data is not None else None


def check_completion(session: Session, user: Any, row: HumanTask, data: dict) -> dict[str, list[str]]:
    """The messages of the process's own check of ``data`` (empty when fine or undeclared)."""
    check = installed().services.get(_check_key(row.process_key))
    return check(session, user, row, data) if check is not None else {}  # type: ignore[operator]
