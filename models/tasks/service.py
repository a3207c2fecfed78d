"""What the inbox's buttons and the task API do, by task id: one function per action.

Each function loads the task the user named (``NotFound`` when there is none, ``AccessDenied``
when the rules say no), acts through ``actions``, ``comments``, ``adhoc`` and ``templates``,
and only adds to the session: the caller's unit of work commits, or rolls everything back
when the function raises. Refusals are ``TaskError`` (422, Russian messages per field),
``TaskConflict`` (409: someone else was faster) and ``CommentError``; whoever must be told
about a change (a new assignee, a mentioned colleague) is notified here, not by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.tables import HumanTask
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.permissions import require_access
from models.tasks.actions import change_status, claim, reassign, release
from models.tasks.adhoc import Task, TaskError, TaskState
from models.tasks.comments import Comment, add_comment
from models.tasks.process_tasks import complete_process_task
from models.tasks.templates import TaskTemplate, apply_template

COMMENT_OBJECTS = {"process": "human_task", "adhoc": "task"}  # ``comment.object_type`` per kind


@dataclass(frozen=True)
class Finished:
    """A completed task, the process's next open steps and what to tell the person (process tasks)."""

    task: HumanTask | Task
    upcoming: list[HumanTask]
    message: str | None


def get_task(
    session: Session, user: User, kind: str, task_id: int, action: str | None = "view"
) -> HumanTask | Task:
    """The task of ``kind`` (process | adhoc) the user may ``action`` (``None``: the caller checks)."""
    record: HumanTask | Task | None = None
    if kind == "process":
        record = session.get(HumanTask, task_id)
    elif kind == "adhoc":
        record = session.get(Task, task_id)
    if record is None:
        raise NotFound("Задача не найдена")
    if action is not None:
        require_access(user, record, action)
    return record


def claim_task(session: Session, user: User, kind: str, task_id: int, now: datetime) -> HumanTask | Task:
    """Take a task from the user's role or department queue (``TaskConflict`` if a colleague was faster)."""
    record = get_task(session, user, kind, task_id, None)  # ``claim`` checks the rules after the conflict
    claim(session, record, user, now)
    return record


def release_task(session: Session, user: User, kind: str, task_id: int, now: datetime) -> HumanTask | Task:
    """Put the user's claimed task back into its queue."""
    record = get_task(session, user, kind, task_id)
    release(session, record, user, now)
    return record


def reassign_task(
    session: Session,
    user: User,
    kind: str,
    task_id: int,
    to_user_id: int | None,
    reason: str | None,
    now: datetime,
    *,
    delegate: bool = False,
    field_errors: dict[str, list[str]] | None = None,
) -> HumanTask | Task:
    """Give the task to a colleague (a reason is required) or delegate it; the new assignee is told.

    ``field_errors``: what the caller could not parse (e.g. a non-numeric colleague id), refused
    as a ``TaskError`` before anything changes.
    """
    record = get_task(session, user, kind, task_id)
    if field_errors:
        raise TaskError("Переназначение заполнено с ошибками", field_errors)
    reassign(session, record, user, to_user_id, reason, now, delegate=delegate)
    return record


def comment_on_task(
    session: Session, user: User, kind: str, task_id: int, body: str, now: datetime
) -> Comment:
    """Add a comment to a task the user sees; each colleague ``@mentioned`` is notified."""
    record = get_task(session, user, kind, task_id)
    return add_comment(session, COMMENT_OBJECTS[kind], record.id, user, body, now, title=record.title)


def change_task_status(
    session: Session, user: User, task_id: int, status: str, now: datetime, grace: timedelta
) -> Task:
    """Start, finish or cancel an ad-hoc task (``TaskConflict`` when it is already closed)."""
    task = get_task(session, user, "adhoc", task_id)
    assert isinstance(task, Task)
    return change_status(session, task, status, user, now, grace)


def complete_task(
    session: Session,
    engine: ProcessEngine,
    user: User,
    kind: str,
    task_id: int,
    data: dict,
    now: datetime,
    grace: timedelta,
) -> Finished:
    """Complete a task: a process task with its form ``data`` (validated), an ad-hoc task as done."""
    record = get_task(session, user, kind, task_id, "complete")
    if isinstance(record, Task):
        return Finished(change_status(session, record, TaskState.DONE, user, now, grace), [], None)
    done = complete_process_task(session, engine, user, record.id, data)
    return Finished(done.task, done.upcoming, done.message)


def apply_task_template(
    session: Session,
    user: User,
    template_id: int,
    record_ids: list[int],
    now: datetime,
    grace: timedelta,
    *,
    assignee_id: int | None = None,
    department: str | None = None,
    assign: str | None = None,
) -> list[Task]:
    """One task per chosen record from template ``template_id``, all or nothing (see ``apply_template``)."""
    template = session.get(TaskTemplate, template_id)
    if template is None:
        raise NotFound("Шаблон не найден")
    return apply_template(
        session, template, record_ids, user, now, grace,
        assignee_id=assignee_id, department=department, assign=assign,
    )
