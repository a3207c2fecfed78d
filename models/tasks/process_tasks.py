"""Completing a process task: the one service behind the inbox page, the lead card and the API.

It checks that the user may complete the task, validates the data through the engine,
completes the task and says what happens next («Следующий шаг: …», and the next task when
it is the user's own). It only adds to the session; the caller's unit of work commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.errors import FormValidationError, NotFound
from engine.forms import validate
from engine.tables import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from models.identity.users import User
from models.platform.permissions import AccessDenied, Actor, can_access
from models.platform.roles import DEPARTMENTS, ROLE_LABELS, Role
from models.tasks.hooks import check_completion
from models.tasks.process_steps import next_steps


@dataclass(frozen=True)
class Completion:
    """What completing a task led to: the next open steps, the user's own next task, a message."""

    task: HumanTask
    instance: ProcessInstance
    upcoming: list[HumanTask]
    mine: HumanTask | None
    message: str


def may_complete(user: Actor, row: HumanTask, card: Any = None) -> bool:
    """Whether ``user`` may complete ``row``: by the task rules, or as an editor of its ``card``.

    ``card`` is the business record whose page shows the form (the lead card records its
    lead's outcome): whoever may edit that record may complete the record's own task.
    """
    if can_access(user, row, "complete"):
        return True
    return (
        card is not None
        and row.business_type == getattr(card, "__tablename__", None)
        and row.business_id == getattr(card, "id", None)
        and can_access(user, card, "edit")
    )


def _who(session: Session, user: Actor, step: HumanTask) -> str:
    if step.assignee_id == user.id:
        return "вам"
    if step.assignee_id:
        assignee = session.get(User, step.assignee_id)
        return assignee.full_name if assignee is not None else f"сотруднику №{step.assignee_id}"
    if step.candidate_role:
        role = ROLE_LABELS.get(Role(step.candidate_role), step.candidate_role)
        return f"в очередь роли «{role}»"
    department = step.candidate_department or ""
    return f"в очередь отдела «{DEPARTMENTS.get(department, department)}»"


def next_step_message(session: Session, user: Actor, instance: ProcessInstance,
                      upcoming: list[HumanTask]) -> str:
    """«Задача выполнена. Следующий шаг: «…» — в очередь роли «…».» (or that the process ended)."""
    if not upcoming:
        if instance.status == InstanceStatus.COMPLETED:
            return "Задача выполнена. Процесс завершён."
        return "Задача выполнена. Процесс продолжится автоматически."
    parts = [f"«{step.title}» — {_who(session, user, step)}" for step in upcoming]
    return "Задача выполнена. Следующий шаг: " + "; ".join(parts) + "."


# What the form page stores for an upload (``web.forms.parser.upload_saver``): a random folder
# under ``instance/uploads`` and a sanitised name. Anything else in a file field — a path
# typed into the API (``../../etc/passwd``, ``/var/…``) — is refused (issue 14, defect 9).
_UPLOAD_PATH = re.compile(r"uploads/[0-9a-f]{16}/[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


def _file_field_problems(schema: Any, ui: Any, data: dict) -> dict[str, list[str]]:
    properties = (schema or {}).get("properties") or {}
    hints = ui if isinstance(ui, dict) else {}
    problems: dict[str, list[str]] = {}
    for name in properties:
        widget = (hints.get(name) or {}).get("ui:widget") if isinstance(hints.get(name), dict) else None
        value = data.get(name)
        if widget == "file" and value not in (None, "") and not (
                isinstance(value, str) and _UPLOAD_PATH.fullmatch(value) and ".." not in value):
            problems[name] = ["Файл прикладывается загрузкой на странице задачи; путь к файлу не принимается"]
    return problems


def complete_process_task(
    session: Session,
    engine: ProcessEngine,
    user: Actor,
    task_id: int,
    data: dict,
    *,
    field_errors: dict[str, list[str]] | None = None,
    card: Any = None,
) -> Completion:
    """Complete process task ``task_id`` with form ``data`` on behalf of ``user``.

    Raises ``NotFound``, ``AccessDenied``, ``FormValidationError`` (Russian messages per
    field; ``field_errors`` — what the caller could not convert while parsing — and the
    process's own check (``models.tasks.hooks``) are reported together with the schema's
    complaints about the other fields) or ``ConflictError`` (completed or changed by someone
    else). ``card``: see ``may_complete``.
    """
    row = session.get(HumanTask, task_id)
    if row is None:
        raise NotFound(f"Задача {task_id} не найдена")
    if not may_complete(user, row, card):
        raise AccessDenied()
    problems = check_completion(session, user, row, data) if row.status == TaskStatus.OPEN else {}
    if row.form:
        problems.update(_file_field_problems(*engine.task_form(row), data))
    if field_errors or problems:
        schema, _ui = engine.task_form(row)
        raise FormValidationError({**validate(schema, data), **(field_errors or {}), **problems})
    instance = engine.complete_task(row.id, data, user.id)
    upcoming = next_steps(session, row.instance_id, row.id)
    mine = next((step for step in upcoming if step.assignee_id == user.id), None)
    return Completion(row, instance, upcoming, mine, next_step_message(session, user, instance, upcoming))
