"""Sales teams and the choice of a manager for a lead.

The DMN table ``processes/lead_team.dmn`` names the team (by territory and
industry); here a manager is picked among the team's qualified members by least load
(open deals plus open inbox tasks, process and ad-hoc). Absent or blocked managers are skipped (their work
would only go on to their deputy); among equally loaded managers a round-robin pointer
stored on the team row decides, so fairness holds across requests, processes and
restarts. The pointer is read and moved by one atomic ``UPDATE … RETURNING`` after the
members and loads are read (issue 15: the team row is no longer locked ``FOR UPDATE`` for the
whole step), so two concurrent leads never get the same turn; their loads may miss each
other's uncommitted lead, as two managers' clicks at the same moment would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    ScalarSelect,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    inspect,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.dml import ReturningUpdate

from engine.tables import HumanTask, TaskStatus
from models.identity.deputies import effective_assignee
from models.identity.users import Absence, Department, User
from models.platform.db import Base
from models.tasks.adhoc import Task


class SalesTeam(Base):
    __tablename__ = "sales_team"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    territories: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Round-robin pointer: the member who got the last lead among equals.
    last_assigned_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    members: Mapped[list[SalesTeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="SalesTeamMember.user_id")


class SalesTeamMember(Base):
    __tablename__ = "sales_team_member"
    __audited__ = True

    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    qualified: Mapped[bool] = mapped_column(Boolean, default=True)  # may take new leads
    plan_deals: Mapped[int] = mapped_column(Integer, default=0)  # won deals planned per month

    team: Mapped[SalesTeam] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


@dataclass(frozen=True)
class RoutingDecision:
    manager_id: int
    senior_id: int | None
    load: int
    reason: str
    # The chosen manager as loaded by routing: whoever keeps the decision keeps the row in the
    # session, so the notification and the first task read it without asking again.
    manager: User | None = field(default=None, compare=False, repr=False)


class RoutingError(Exception):
    """No one can take the lead (empty team, nobody qualified)."""


def manager_loads(session: Session, user_ids: list[int]) -> dict[int, int]:
    """Open deals owned plus open inbox tasks assigned, process and ad-hoc alike, per user.

    An ad-hoc task a colleague handed over («подготовь КП до пятницы») takes as much of the
    day as a process step, so a manager buried in them is not the least loaded one. The three
    counts are one statement (``UNION ALL`` of grouped counts). Routing reads the loads of a
    team's members with the members themselves (``_team_and_members``); this is for the deputies
    of a team whose members are all away, and for the workload pages.
    """
    from models.sales.deals import Deal, DealStatus  # deals import routing's users; avoid a cycle

    loads = dict.fromkeys(user_ids, 0)
    if not user_ids:
        return loads
    counts = union_all(
        select(Deal.owner_id.label("uid"), func.count().label("n")).where(
            Deal.owner_id.in_(user_ids), Deal.status == DealStatus.OPEN).group_by(Deal.owner_id),
        select(HumanTask.assignee_id, func.count()).where(
            HumanTask.assignee_id.in_(user_ids), HumanTask.status == TaskStatus.OPEN)
        .group_by(HumanTask.assignee_id),
        select(Task.assignee_id, func.count()).where(Task.assignee_id.in_(user_ids), Task.is_open)
        .group_by(Task.assignee_id),
    )
    # The nullable id columns are filtered by IN (user_ids), so the ids read back are never NULL.
    for uid, n in session.execute(counts):
        loads[cast(int, uid)] += n
    return loads


def _member_load() -> ColumnElement[int]:
    """The member's load (``manager_loads``' three counts) as a column of the members' statement."""
    from models.sales.deals import Deal, DealStatus  # deals import routing's users; avoid a cycle

    def count(stmt: Select) -> ScalarSelect[int]:
        return stmt.with_only_columns(func.count()).scalar_subquery()

    return (count(select(Deal.id).where(Deal.owner_id == User.id, Deal.status == DealStatus.OPEN))
            + count(select(HumanTask.id).where(HumanTask.assignee_id == User.id,
                                               HumanTask.status == TaskStatus.OPEN))
            + count(select(Task.id).where(Task.assignee_id == User.id, Task.is_open)))


@dataclass(frozen=True)
class _Member:
    user: User
    absent: bool
    department_head_id: int | None
    load: int


@cache
def _members_statement() -> Select:
    """The members' statement of ``_team_and_members``, built once (``code`` and ``day`` are bound).

    Building it (subqueries, joins, its cache key) cost more CPU than running it; SQLAlchemy
    keeps the compiled form, but only a statement object kept between calls spares the rest.
    """
    day = bindparam("day", type_=Date)
    absent = exists().where(Absence.user_id == User.id, Absence.starts_on <= day, Absence.ends_on >= day)
    never_absent = ~exists().where(Absence.user_id == User.id)
    head = select(Department.head_id).where(Department.id == User.department_id).scalar_subquery()
    return (select(SalesTeam.id, SalesTeam.name, User, absent.label("absent"), head.label("head_id"),
                   never_absent.label("never_absent"), _member_load().label("load"))
            .select_from(SalesTeam)
            .outerjoin(SalesTeamMember,
                       and_(SalesTeamMember.team_id == SalesTeam.id, SalesTeamMember.qualified))
            .outerjoin(User, and_(User.id == SalesTeamMember.user_id, User.is_active))
            .where(SalesTeam.code == bindparam("code", type_=String)).order_by(User.id))


def _team_and_members(session: Session, code: str, day: date) -> tuple[int, str, list[_Member]]:
    """The team's id and name and its qualified active members (by id), each with «absent on ``day``».

    One statement: the members' users, whether an absence covers the day, their department's
    head and their load (open deals and open tasks) come with the team row, instead of a query
    per member, per absence list and per department, and one more for the loads.
    """
    rows = session.execute(_members_statement(), {"code": code, "day": day}).all()
    if not rows:
        raise RoutingError(f"Команда «{code}» не найдена")
    members = [_Member(user, bool(is_absent), head_id, load or 0)
               for _, _, user, is_absent, head_id, _, load in rows if user is not None]
    for _, _, user, _, _, never, _ in rows:
        if user is not None and never and "absences" not in inspect(user).dict:
            # Known empty: the deputy rule of the lead's first task asks no more about this user.
            set_committed_value(user, "absences", [])
    return rows[0][0], rows[0][1], members


def _move_pointer(session: Session, team_id: int, candidates: list[int]) -> int:
    """Give the lead to the next of ``candidates`` after the team's pointer, moving it atomically.

    One ``UPDATE … RETURNING`` reads and moves the pointer, so two concurrent leads never get
    the same turn; the team row is not locked while the members and loads are read (only from
    this statement to the commit, on PostgreSQL).
    """
    return cast(int, session.execute(_pointer_statement(tuple(sorted(candidates))), {"team_id": team_id})
                .scalar_one())


@lru_cache(maxsize=256)
def _pointer_statement(ordered: tuple[int, ...]) -> ReturningUpdate[Any]:
    """The pointer's ``UPDATE … RETURNING`` for these tied members (``team_id`` bound), built once per set."""
    team = cast(Table, SalesTeam.__table__)  # Core: no ORM bookkeeping, no audit row per lead
    pointer = team.c.last_assigned_id
    following = case(*((pointer < uid, uid) for uid in ordered), else_=ordered[0])  # NULL: the first
    return (update(team).where(team.c.id == bindparam("team_id", type_=Integer))
            .values(last_assigned_id=following).returning(pointer))


def choose_manager(session: Session, team_code: str, now: datetime, *, territory: str | None = None,
                   industry: str | None = None) -> RoutingDecision:
    """Pick the manager for a new lead of team ``team_code`` and move the round-robin pointer."""
    day = now.date()
    team_id, team_name, members = _team_and_members(session, team_code, day)
    if not members:
        raise RoutingError(f"В команде «{team_name}» нет менеджеров, принимающих лиды")
    present = [m for m in members if not m.absent]
    absent = [m.user for m in members if m.absent]
    skipped = ""
    if present:
        loads = {m.user.id: m.load for m in present}
    else:
        # Everyone is away: the deputies of the team take the work (deputy rule).
        deputies = {effective_assignee(session, u.id, day)[0] for u in absent}
        loads = manager_loads(session, sorted(d for d in deputies if d is not None))
    if absent:
        names = ", ".join(f"{u.full_name} (заместитель — {u.deputy.full_name if u.deputy else 'нет'})"
                          for u in absent)
        skipped = f"; пропущены отсутствующие: {names}"
    least = min(loads.values())
    equals = [uid for uid, n in loads.items() if n == least]
    chosen = _move_pointer(session, team_id, equals)
    by_id = {m.user.id: m for m in members}
    senior = _senior_of(session, chosen, by_id)
    parts = [f"команда {team_name}"]
    if territory:
        parts.append(f"территория {territory}")
    if industry:
        parts.append(f"отрасль {industry}")
    parts.append(f"загрузка {least}")
    reason = "назначен по правилу: " + ", ".join(parts) + skipped
    if len(equals) > 1:
        reason += " (равная загрузка — по очереди)"
    return RoutingDecision(manager_id=chosen, senior_id=senior, load=least, reason=reason,
                           manager=by_id[chosen].user if chosen in by_id else session.get(User, chosen))


def _senior_of(session: Session, manager_id: int, members: dict[int, _Member]) -> int | None:
    """Who an overdue lead of ``manager_id`` escalates to: their manager, else their department's head."""
    member = members.get(manager_id)
    if member is not None:
        manager, head = member.user, member.department_head_id
    else:  # a deputy from outside the team
        found = session.get(User, manager_id)
        if found is None:
            return None
        manager, head = found, found.department.head_id if found.department is not None else None
    return manager.manager_id or (head if head != manager.id else None)


DEFAULT_TEAMS: tuple[tuple[str, str, list[str], list[str], tuple[str, ...]], ...] = (
    ("moscow_logistics", "Москва: логистика и транспорт", ["Москва"], ["Логистика", "Транспорт"],
     ("manager", "manager2")),
    ("regions", "Регионы", [], [], ("manager2", "manager3")),
    ("general", "Общий поток", [], [], ("manager", "manager2", "manager3")),
)


def ensure_default_teams(session: Session) -> int:
    """Create the demo teams that match ``lead_routing.dmn`` (members by login)."""
    existing = {t.code for t in session.scalars(select(SalesTeam))}
    created = 0
    for code, name, territories, industries, logins in DEFAULT_TEAMS:
        if code in existing:
            continue
        team = SalesTeam(code=code, name=name, territories=territories, industries=industries)
        for login in logins:
            user = session.scalar(select(User).where(User.login == login))
            if user is not None:
                team.members.append(SalesTeamMember(user=user, plan_deals=10))
        session.add(team)
        created += 1
    session.flush()
    return created
