"""The inbox: one list of process tasks and ad-hoc tasks per person, and its counters.

Only the indexed projection tables are read (``human_task`` and ``task``), never workflow
state. Each section is one index range per table — my open tasks by
``(assignee_id, status|is_open, due_at)``, the claimable queue by
``(candidate_role|candidate_department, status, assignee_id, due_at)``, completed ones by
``(completed_by_id, completed_at)`` — and the two short sorted lists are merged here.
"My" includes the open tasks of absent colleagues I am the deputy of, marked as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, ColumnElement, Integer, Select, func, literal, or_, select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, ProcessDefinition, TaskStatus
from models.identity.users import Absence, User
from models.platform.labels import labels
from models.tasks.adhoc import Task
from models.tasks.cursor import InboxCursor, after_done, after_open

SECTIONS = {
    "my": "Мои задачи",
    "queue": "Очередь отдела и роли",
    "overdue": "Просроченные",
    "today": "На сегодня",
    "completed": "Выполненные",
}
ADHOC = "adhoc"


@dataclass
class InboxFilters:
    client_id: int | None = None
    deal_id: int | None = None
    process: str | None = None  # a process key, or "adhoc" for ad-hoc tasks only
    priority: int | None = None
    due_before: date | None = None  # due on or before this day

    def active(self) -> bool:
        return any(v is not None and v != "" for v in vars(self).values())


@dataclass
class InboxItem:
    kind: str  # process | adhoc
    id: int
    title: str
    due_at: datetime | None
    priority: int
    status: str
    assignee_id: int | None
    original_assignee_id: int | None = None
    process_key: str | None = None
    business_type: str | None = None
    business_id: int | None = None
    completed_at: datetime | None = None
    escalated: bool = False
    labels: dict = field(default_factory=dict)  # filled by ``describe``: names to show

    def overdue_by(self, now: datetime) -> timedelta | None:
        if self.due_at is None or self.completed_at is not None or self.due_at >= now:
            return None
        return now - self.due_at


@dataclass
class Viewer:
    """Who reads the inbox: their id, the absent colleagues they stand in for, their queues."""

    user_id: int
    role: str
    department: str | None
    standing_in: dict[int, str]  # absent colleague id -> name
    day_start: datetime
    day_end: datetime

    @property
    def assignee_ids(self) -> list[int]:
        return [self.user_id, *self.standing_in]


def viewer_for(session: Session, user: User, now: datetime, zone: str = "Europe/Moscow") -> Viewer:
    tz = ZoneInfo(user.timezone or zone)
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time.min, tzinfo=tz)
    absent = session.execute(
        select(User.id, User.full_name)
        .join(Absence, Absence.user_id == User.id)
        .where(User.deputy_id == user.id, Absence.starts_on <= today, Absence.ends_on >= today)
    ).all()
    return Viewer(
        user.id,
        user.role,
        user.department.code if user.department else None,
        dict(absent),
        start,
        start + timedelta(days=1),
    )


def _human_filters(stmt: Select, f: InboxFilters) -> Select | None:
    """``stmt`` narrowed by ``f``; None when ``f`` rules every process task out (ad-hoc tasks asked)."""
    if f.process == ADHOC:
        return None
    if f.process:
        stmt = stmt.where(HumanTask.process_key == f.process)
    return _common_filters(stmt, HumanTask, f)


def _task_filters(stmt: Select, f: InboxFilters) -> Select | None:
    """``stmt`` narrowed by ``f``; None when ``f`` rules every ad-hoc task out (a process asked)."""
    if f.process and f.process != ADHOC:
        return None
    return _common_filters(stmt, Task, f)


def _common_filters(stmt: Select, model: type[HumanTask] | type[Task], f: InboxFilters) -> Select:
    if f.client_id is not None:
        stmt = stmt.where(model.business_type == "client", model.business_id == f.client_id)
    if f.deal_id is not None:
        stmt = stmt.where(model.business_type == "deal", model.business_id == f.deal_id)
    if f.priority is not None:
        stmt = stmt.where(model.priority == f.priority)
    if f.due_before is not None:
        stmt = stmt.where(
            model.due_at
            < datetime.combine(f.due_before + timedelta(days=1), time.min, tzinfo=ZoneInfo("Europe/Moscow"))
        )
    return stmt


def _human_where(section: str, v: Viewer, now: datetime) -> list:
    if section == "queue":
        queues = [HumanTask.candidate_role == v.role]
        if v.department:
            queues.append(HumanTask.candidate_department == v.department)
        return [HumanTask.status == TaskStatus.OPEN, HumanTask.assignee_id.is_(None), or_(*queues)]
    if section == "completed":
        return [HumanTask.completed_by_id == v.user_id]
    where = [HumanTask.assignee_id.in_(v.assignee_ids), HumanTask.status == TaskStatus.OPEN]
    if section == "overdue":
        where.append(HumanTask.due_at < now)
    elif section == "today":
        where += [HumanTask.due_at >= v.day_start, HumanTask.due_at < v.day_end]
    return where


def _task_where(section: str, v: Viewer, now: datetime) -> list:
    if section == "queue":
        if not v.department:
            return [Task.id.is_(None)]
        return [Task.department == v.department, Task.is_open.is_(True), Task.assignee_id.is_(None)]
    if section == "completed":
        return [Task.completed_by_id == v.user_id]
    where: list[ColumnElement[bool]] = [Task.assignee_id.in_(v.assignee_ids), Task.is_open.is_(True)]
    if section == "overdue":
        where.append(Task.due_at < now)
    elif section == "today":
        where += [Task.due_at >= v.day_start, Task.due_at < v.day_end]
    return where


_HUMAN_COLS = (
    HumanTask.id,
    HumanTask.title,
    HumanTask.due_at,
    HumanTask.priority,
    HumanTask.status,
    HumanTask.assignee_id,
    HumanTask.original_assignee_id,
    HumanTask.process_key,
    HumanTask.business_type,
    HumanTask.business_id,
    HumanTask.completed_at,
    HumanTask.escalated_at,
)
_TASK_COLS = (
    Task.id,
    Task.title,
    Task.due_at,
    Task.priority,
    Task.status,
    Task.assignee_id,
    Task.original_assignee_id,
    Task.business_type,
    Task.business_id,
    Task.completed_at,
    Task.escalated_at,
)


def items(
    session: Session,
    v: Viewer,
    section: str,
    now: datetime,
    filters: InboxFilters | None = None,
    limit: int = 50,
    after: InboxCursor | None = None,
    *,
    described: bool = True,
) -> list[InboxItem]:
    """One page of a section, process and ad-hoc tasks merged (by due date; by completion when done),
    starting after ``after`` (the last row of the previous page; see ``models.tasks.cursor``).

    ``described=False`` leaves the names out: a page showing several sections (the home screens)
    names all their rows with one ``describe``, a statement per kind of name rather than per section."""
    f = filters or InboxFilters()
    done = section == "completed"
    wanted = limit
    h_order = (
        (HumanTask.completed_at.desc(), HumanTask.id.desc()) if done
        else (HumanTask.due_at.asc().nulls_last(), HumanTask.id)
    )
    t_order = (
        (Task.completed_at.desc(), Task.id.desc()) if done else (Task.due_at.asc().nulls_last(), Task.id)
    )
    h_stmt = _human_filters(select(*_HUMAN_COLS).where(*_human_where(section, v, now)), f)
    t_stmt = _task_filters(select(*_TASK_COLS).where(*_task_where(section, v, now)), f)
    if after is not None:
        past = after_done if done else after_open
        if h_stmt is not None:
            h_stmt = h_stmt.where(past(after, "process", HumanTask.completed_at if done else HumanTask.due_at,
                                       HumanTask.id))
        if t_stmt is not None:
            t_stmt = t_stmt.where(past(after, ADHOC, Task.completed_at if done else Task.due_at, Task.id))
    # A source the filters rule out is not asked at all (a process filter: no ad-hoc tasks, and back).
    h_rows = session.execute(h_stmt.order_by(*h_order).limit(wanted)) if h_stmt is not None else ()
    t_rows = session.execute(t_stmt.order_by(*t_order).limit(wanted)) if t_stmt is not None else ()
    result = [
        InboxItem(
            "process",
            r.id,
            r.title,
            r.due_at,
            r.priority,
            r.status,
            r.assignee_id,
            r.original_assignee_id,
            r.process_key,
            r.business_type,
            r.business_id,
            r.completed_at,
            r.escalated_at is not None,
        )
        for r in h_rows
    ]
    result += [
        InboxItem(
            ADHOC,
            r.id,
            r.title,
            r.due_at,
            r.priority,
            r.status,
            r.assignee_id,
            r.original_assignee_id,
            None,
            r.business_type,
            r.business_id,
            r.completed_at,
            r.escalated_at is not None,
        )
        for r in t_rows
    ]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    if done:
        result.sort(key=lambda i: (i.completed_at or far, i.kind, i.id), reverse=True)
    else:
        result.sort(key=lambda i: (i.due_at or far, i.kind, i.id))
    page = result[:wanted]
    if described:
        describe(session, page, v)
    return page


def cursor_of(item: InboxItem, section: str) -> InboxCursor:
    """The cursor that starts the page after ``item`` in ``section``."""
    return InboxCursor(item.completed_at if section == "completed" else item.due_at, item.kind, item.id)


def _count(model: type, where: list) -> ColumnElement[int]:
    return select(func.count()).select_from(model).where(*where).scalar_subquery()


def counters(session: Session, v: Viewer, now: datetime, *, unread: Select | None = None) -> dict[str, int]:
    """Open counts per section (the navigation badge shows ``my``), in one statement: each count
    is an index range of its own, asked as scalar subqueries of one SELECT. With ``unread`` (a
    count statement: ``models.notifications.service.unread_statement``) the same SELECT also
    answers ``"unread"``, so the inbox page needs no round trip of its own for the bell."""
    parts: dict[str, list[ColumnElement[int]]] = {}
    for section in ("my", "queue", "overdue", "today"):
        human = _human_where(section, v, now)
        if section == "queue":  # two index ranges instead of one OR the planner may not split
            counts = [_count(HumanTask, [*human[:2], HumanTask.candidate_role == v.role])]
            if v.department:
                other_role = or_(HumanTask.candidate_role.is_(None), HumanTask.candidate_role != v.role)
                counts.append(_count(HumanTask, [*human[:2], HumanTask.candidate_department == v.department,
                                                 other_role]))
        else:
            counts = [_count(HumanTask, human)]
        parts[section] = [*counts, _count(Task, _task_where(section, v, now))]
    if unread is not None:
        parts["unread"] = [unread.scalar_subquery()]
    columns = [c for counts in parts.values() for c in counts]
    row = iter(session.execute(select(*columns)).one())
    return {section: sum(next(row) or 0 for _ in counts) for section, counts in parts.items()}


def badge_counts_statement(
    user_id: int | BindParameter[int], today: date | BindParameter[date], unread: Select,
) -> Select:
    """One statement for the navigation badges: my open tasks (with those of absent colleagues I
    stand in for) and ``unread`` notifications, as three scalar subqueries.

    Every page shows the badges, so they cost one round trip, not the inbox's nine counts; built
    once with bound parameters for ``user_id`` and ``today`` (``models.tasks.pages``), since
    building the expression cost more CPU than running it.
    """
    absent = (
        select(User.id)
        .join(Absence, Absence.user_id == User.id)
        .where(User.deputy_id == user_id, Absence.starts_on <= today, Absence.ends_on >= today)
    )
    # Me and the colleagues I stand in for as one set: ``assignee_id IN (me UNION ALL absent)`` is
    # a nested loop over the assignee index, where ``= me OR IN (absent)`` made PostgreSQL filter
    # every open task of everyone (2.0 → 0.4 ms at 20 000 open tasks, on every page).
    me = literal(user_id, Integer) if isinstance(user_id, int) else user_id
    mine = select(me).union_all(absent)
    human = select(func.count()).select_from(HumanTask).where(HumanTask.assignee_id.in_(mine),
                                                              HumanTask.status == TaskStatus.OPEN)
    adhoc = select(func.count()).select_from(Task).where(Task.assignee_id.in_(mine), Task.is_open.is_(True))
    return select(human.scalar_subquery(), adhoc.scalar_subquery(), unread.scalar_subquery())


def describe(session: Session, page: list[InboxItem], v: Viewer) -> None:
    """Fill in names to show: the client, the process, and whose task a deputy is doing.

    The viewer's own name is never shown (only someone else's: «вместо», «у кого»), so a page of
    one's own tasks asks for no names of people at all."""
    objects = labels(session, ((i.business_type, i.business_id) for i in page))
    keys = {i.process_key for i in page if i.process_key}
    processes = (
        dict(
            session.execute(
                select(ProcessDefinition.key, func.max(ProcessDefinition.name))
                .where(ProcessDefinition.key.in_(keys))
                .group_by(ProcessDefinition.key)
            ).all()
        )
        if keys
        else {}
    )
    people = ({i.original_assignee_id for i in page if i.original_assignee_id}
              | {i.assignee_id for i in page if i.assignee_id}) - {v.user_id}
    names = (
        dict(session.execute(select(User.id, User.full_name).where(User.id.in_(people))).all())
        if people
        else {}
    )
    for item in page:
        shown = item.labels
        if item.business_type and item.business_id is not None:
            shown["business"] = objects[(item.business_type, item.business_id)]
        shown["process"] = (
            processes.get(item.process_key, item.process_key) if item.process_key else "Задача"
        )
        if item.assignee_id in v.standing_in:
            shown["standing_in"] = v.standing_in[item.assignee_id]
        if item.original_assignee_id and item.original_assignee_id != v.user_id:
            shown["instead_of"] = names.get(item.original_assignee_id, "")
        if item.assignee_id and item.assignee_id != v.user_id:
            shown["assignee"] = names.get(item.assignee_id, "")


def process_keys(session: Session) -> list[tuple[str, str]]:
    """(key, name) of deployed processes, for the filter list."""
    rows = session.execute(
        select(ProcessDefinition.key, func.max(ProcessDefinition.name))
        .group_by(ProcessDefinition.key)
        .order_by(ProcessDefinition.key)
    ).all()
    return list(rows)
