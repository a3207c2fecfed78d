"""Approvable task kinds: process tasks a person may decide in one tap outside the browser (Telegram).

A process whose approval tasks can be decided by «Согласовать / Отклонить» declares an
``ApprovableKind`` in its package's ``register`` (``declare_approvable``): which task
elements are approvals, what a one-message summary of a task says, which decisions need a
comment, and how a decision is recorded — through the process's own service (the same
checks, deputies, audit and next steps as the task page). The discount sign-off declares
one; document approvals will declare theirs the same way, and the Telegram integration
(``integrations/telegram``) needs no change for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.platform.registry import Registry, installed

PREFIX = "tasks.approvable:"
DECISIONS = {"approve": "Согласовать", "reject": "Отклонить"}


@dataclass(frozen=True)
class ApprovableKind:
    """How one process's approval tasks are summarised and decided outside the task page."""

    process_key: str
    elements: tuple[str, ...]  # BPMN element ids of the approval tasks
    summary: Callable[[Session, HumanTask], str]  # plain text, a few lines
    needs_comment: Callable[[str], bool]  # decision → whether the process requires a comment
    # (session, engine, user, task, decision, comment) → a Russian line saying what was recorded;
    # raises the process's own errors (refusals, conflicts) with Russian messages.
    decide: Callable[[Session, Any, Any, HumanTask, str, str], str]


def declare_approvable(registry: Registry, kind: ApprovableKind) -> None:
    registry.service(PREFIX + kind.process_key, kind)


def approvable_kinds() -> list[ApprovableKind]:
    return [v for k, v in installed().services.items() if k.startswith(PREFIX)]  # type: ignore[misc]


def approvable_for(row: HumanTask) -> ApprovableKind | None:
    """The kind a task belongs to when it is one of its approval steps, else None."""
    kind = installed().services.get(PREFIX + row.process_key)
    if isinstance(kind, ApprovableKind) and row.element_id in kind.elements:
        return kind
    return None
