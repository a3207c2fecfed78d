"""What the inbox pages read: one function per page, returning everything its template shows.

The inbox list, an ad-hoc task, a process task, the new-task form and the templates page
each get one call here with the acting user applied (``NotFound``/``AccessDenied`` for a task
the user may not open), so the views hold no queries. The lists come from ``inbox``, the
people from ``models.identity.service``, the clients from ``models.clients.queries``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Select, bindparam, select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from engine.errors import NotFound as FormNotFound
from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.clients.queries import client_choices, client_label
from models.identity.service import Colleague, active_users
from models.identity.users import User
from models.notifications.service import unread_statement
from models.platform.audit import AuditLog
from models.platform.links import readable_label
from models.platform.permissions import can_access
from models.tasks.actions import TaskAssignment, history
from models.tasks.adhoc import Task
from models.tasks.comments import Comment, comments_for
from models.tasks.cursor import InboxCursor
from models.tasks.hooks import TaskPanel, panel_for
from models.tasks.inbox import (
    InboxFilters,
    InboxItem,
    badge_counts_statement,
    counters,
    cursor_of,
    items,
    process_keys,
    viewer_for,
)
from models.tasks.process_steps import earlier_steps
from models.tasks.service import COMMENT_OBJECTS, get_task
from models.tasks.templates import TaskTemplate, all_templates

TASK_ACTIONS = ("complete", "claim", "release", "reassign")
HIDDEN_CHANGES = ("version", "updated_at", "next_alert_at")  # bookkeeping, not a change a person made


@dataclass
class InboxSection:
    """One page of an inbox section and the open counts of every section."""

    rows: list[InboxItem]
    counts: dict[str, int]
    standing_in: dict[int, str]  # absent colleagues whose tasks the user is doing
    next: str | None = None  # the token of the page after this one (``models.tasks.cursor``), if any


@dataclass
class InboxPage:
    """The inbox page: a section's rows, counters, and the choices of its filters."""

    section: InboxSection
    unread: int
    processes: list[tuple[str, str]]
    client_label: str  # the name of the client the list is filtered by (a typeahead, not a list)


@dataclass
class TaskChoices:
    """Whom a task may go to and what it may be linked to (the new-task and templates forms)."""

    users: list[Colleague]
    clients: list[Client]
    link_label: str = ""  # the name of the record the form links to, shown in its typeahead box


@dataclass
class TaskPage:
    """An ad-hoc task with its comments, assignment and field history, and what the user may do."""

    task: Task
    comments: list[Comment]
    history: list[TaskAssignment]
    changes: list[AuditLog]
    users: list[Colleague]
    client: Client | None
    can: dict[str, bool]


@dataclass
class EarlierStep:
    """A completed step of the same process with the form it was completed with."""

    task: HumanTask
    schema: dict[str, Any]
    ui: dict[str, Any]


@dataclass
class ProcessTaskPage:
    """A process task: its form and data, the earlier steps, the client, comments, history, rights."""

    row: HumanTask
    schema: dict[str, Any]
    ui: dict[str, Any]
    data: dict[str, Any]
    steps: list[EarlierStep]
    client: Client | None
    comments: list[Comment]
    history: list[TaskAssignment]
    users: list[Colleague]
    assignee: User | None
    original: User | None
    can: dict[str, bool]
    panel: TaskPanel | None = None  # what the task's process shows above the form (``models.tasks.hooks``)


def inbox_section(
    session: Session, user: User, section: str, filters: InboxFilters, now: datetime, zone: str,
    *, limit: int, after: str | None = None, with_unread: bool = False,
) -> InboxSection:
    """``limit`` rows of ``section`` after the page token ``after``, the next page's token and the
    counters (``zone``: the default time zone; ``with_unread``: the unread notifications counted
    by the same statement, as ``counts["unread"]``); ``BadCursor`` for a token this server did not make."""
    viewer = viewer_for(session, user, now, zone)
    cursor = InboxCursor.parse(after) if after else None
    rows = items(session, viewer, section, now, filters, limit=limit + 1, after=cursor)
    following = cursor_of(rows[limit - 1], section).token() if len(rows) > limit else None
    counts = counters(session, viewer, now, unread=unread_statement(user.id) if with_unread else None)
    return InboxSection(rows[:limit], counts, viewer.standing_in, following)


def inbox_page(
    session: Session, user: User, section: str, filters: InboxFilters, after: str | None, now: datetime,
    zone: str, page_size: int = 50,
) -> InboxPage:
    """``page_size`` rows of ``section`` after the page token ``after`` (the first page without one),
    with what the filters offer."""
    found = inbox_section(session, user, section, filters, now, zone, limit=page_size, after=after,
                          with_unread=True)
    unread = found.counts.pop("unread")
    chosen = client_label(session, user, filters.client_id) if filters.client_id is not None else None
    return InboxPage(found, unread, process_keys(session), chosen or "")


def navigation_counts(session: Session, user: User, now: datetime, zone: str) -> dict[str, int]:
    """The navigation badges in one statement: my open tasks and unread notifications."""
    today = now.astimezone(ZoneInfo(user.timezone or zone)).date()
    return badge_numbers(session.execute(badge_statement(), {"user_id": user.id, "today": today}).one())


def badge_numbers(values: Sequence[int | None]) -> dict[str, int]:
    """The badges from the three values of ``badge_statement``, wherever it was run."""
    return {"tasks": (values[0] or 0) + (values[1] or 0), "notifications": values[2] or 0}


@cache
def badge_statement() -> Select:
    """The badge statement on bound ``user_id`` and ``today``, built once: every page runs it
    (on its own, or riding the session check: ``web.inbox.badges_with_session``)."""
    user_id = bindparam("user_id", type_=Integer)
    return badge_counts_statement(user_id, bindparam("today", type_=Date), unread_statement(user_id))


def task_choices(session: Session, user: User, business_type: str | None = None,
                 business_id: int | None = None, *, with_clients: bool = True) -> TaskChoices:
    """Colleagues a task may go to, (``with_clients``) the clients the user may link it to, and the
    linked record's name.

    The new-task form picks its record with a typeahead and asks for no client list. The name is
    given only for a record ``user`` may read (a link typed into the address bar names nothing
    else); the form's typeahead box shows it, so a page that came back with errors still shows
    what was chosen.
    """
    return TaskChoices(active_users(session), client_choices(session, user) if with_clients else [],
                       readable_label(session, user, business_type, business_id))


def templates_page(session: Session, user: User) -> tuple[list[TaskTemplate], TaskChoices]:
    """Every task template and the choices of the form that applies one to many records."""
    return all_templates(session), task_choices(session, user)


def task_changes(session: Session, task_id: int) -> list[AuditLog]:
    """Field changes of an ad-hoc task from the audit log, oldest first (bookkeeping fields left out)."""
    return list(session.scalars(
        select(AuditLog)
        .where(AuditLog.entity_type == "task", AuditLog.entity_id == str(task_id),
               AuditLog.action == "update", AuditLog.field.notin_(HIDDEN_CHANGES))
        .order_by(AuditLog.id)
    ))


def task_page(session: Session, user: User, task_id: int) -> TaskPage:
    """The page of ad-hoc task ``task_id`` as ``user`` sees it."""
    task = get_task(session, user, "adhoc", task_id)
    assert isinstance(task, Task)
    linked = task.business_type == "client" and task.business_id is not None
    client = session.get(Client, task.business_id) if linked else None
    return TaskPage(
        task=task,
        comments=comments_for(session, COMMENT_OBJECTS["adhoc"], task.id),
        history=history(session, task),
        changes=task_changes(session, task.id),
        users=active_users(session),
        client=client,
        can={action: can_access(user, task, action) for action in (*TASK_ACTIONS, "edit")},
    )


def _form_of(engine: ProcessEngine, row: HumanTask) -> tuple[dict[str, Any], dict[str, Any]]:
    """The step's form, or an empty one when its version no longer has it (old steps still show)."""
    try:
        return engine.task_form(row)
    except FormNotFound:
        return {"properties": {}}, {}


def _linked_client(session: Session, user: User, row: HumanTask, data: dict[str, Any]) -> Client | None:
    """The client the task is about (its business object, or ``client_id`` in its data), if visible."""
    client_id = row.business_id if row.business_type == "client" else data.get("client_id")
    if not isinstance(client_id, int):
        return None
    client = session.get(Client, client_id)
    return client if client is not None and can_access(user, client) else None


def process_task_page(session: Session, engine: ProcessEngine, user: User, task_id: int) -> ProcessTaskPage:
    """The page of process task ``task_id``: its deployed form, the data it sees, its context."""
    row = get_task(session, user, "process", task_id)
    assert isinstance(row, HumanTask)
    schema, ui = engine.task_form(row)
    data = engine.task_data(row) if row.status == TaskStatus.OPEN else (row.completed_data or {})
    steps = [EarlierStep(step, *_form_of(engine, step))
             for step in earlier_steps(session, row.instance_id, row.id)]
    return ProcessTaskPage(
        row=row,
        schema=schema,
        ui=ui,
        data=data,
        steps=steps,
        client=_linked_client(session, user, row, data),
        comments=comments_for(session, COMMENT_OBJECTS["process"], row.id),
        history=history(session, row),
        users=active_users(session),
        assignee=session.get(User, row.assignee_id) if row.assignee_id else None,
        original=session.get(User, row.original_assignee_id) if row.original_assignee_id else None,
        can={action: can_access(user, row, action) for action in TASK_ACTIONS},
        panel=panel_for(session, user, row),
    )
