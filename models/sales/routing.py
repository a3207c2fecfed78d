"""Sales teams and the choice of a manager for a lead.

The DMN table ``processes/lead_team.dmn`` names the team (by territory and
industry); here a manager is picked among the team's qualified members by least load
(open deals plus open inbox tasks, process and ad-hoc). Absent or blocked managers are skipped (their work
would only go on to their deputy); among equally loaded managers a round-robin pointer
stored on the team row decides, so fairness holds across requests, processes and
restarts. The team row is locked (``FOR UPDATE`` on PostgreSQL, the writer lock on
SQLite) while the pointer moves, so two concurrent leads never read the same pointer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.tables import HumanTask, TaskStatus
from models.identity.deputies import effective_assignee
from models.identity.users import User
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


class RoutingError(Exception):
    """No one can take the lead (empty team, nobody qualified)."""


def manager_loads(session: Session, user_ids: list[int]) -> dict[int, int]:
    """Open deals owned plus open inbox tasks assigned, process and ad-hoc alike, per user.

    An ad-hoc task a colleague handed over («подготовь КП до пятницы») takes as much of the
    day as a process step, so a manager buried in them is not the least loaded one.
    """
    from models.sales.deals import Deal, DealStatus  # deals import routing's users; avoid a cycle

    loads = dict.fromkeys(user_ids, 0)
    if not user_ids:
        return loads
    # The nullable id columns are filtered by IN (user_ids), so the ids read back are never NULL.
    for uid, n in session.execute(select(Deal.owner_id, func.count()).where(
            Deal.owner_id.in_(user_ids), Deal.status == DealStatus.OPEN).group_by(Deal.owner_id)):
        loads[cast(int, uid)] += n
    for uid, n in session.execute(select(HumanTask.assignee_id, func.count()).where(
            HumanTask.assignee_id.in_(user_ids), HumanTask.status == TaskStatus.OPEN)
            .group_by(HumanTask.assignee_id)):
        loads[cast(int, uid)] += n
    for uid, n in session.execute(select(Task.assignee_id, func.count()).where(
            Task.assignee_id.in_(user_ids), Task.is_open).group_by(Task.assignee_id)):
        loads[cast(int, uid)] += n
    return loads


def _lock_team(session: Session, code: str) -> SalesTeam:
    stmt = select(SalesTeam).where(SalesTeam.code == code)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    team = session.scalar(stmt)
    if team is None:
        raise RoutingError(f"Команда «{code}» не найдена")
    return team


def _next_in_turn(candidates: list[int], last: int | None) -> int:
    ordered = sorted(candidates)
    return next((uid for uid in ordered if last is None or uid > last), ordered[0])


def choose_manager(session: Session, team_code: str, now: datetime, *, territory: str | None = None,
                   industry: str | None = None) -> RoutingDecision:
    """Pick the manager for a new lead of team ``team_code`` and move the round-robin pointer."""
    team = _lock_team(session, team_code)
    day = now.date()
    members = [m for m in team.members if m.qualified and m.user.is_active]
    if not members:
        raise RoutingError(f"В команде «{team.name}» нет менеджеров, принимающих лиды")
    present = [m.user for m in members if not m.user.is_absent_on(day)]
    absent = [m.user for m in members if m.user.is_absent_on(day)]
    skipped = ""
    if present:
        loads = manager_loads(session, [u.id for u in present])
    else:
        # Everyone is away: the deputies of the team take the work (deputy rule).
        deputies = {effective_assignee(session, u.id, day)[0] for u in absent}
        loads = manager_loads(session, sorted(d for d in deputies if d is not None))
    if absent:
        names = ", ".join(f"{u.full_name} (заместитель — {u.deputy.full_name if u.deputy else 'нет'})"
                          for u in absent)
        skipped = f"; пропущены отсутствующие: {names}"
    least = min(loads.values())
    chosen = _next_in_turn([uid for uid, n in loads.items() if n == least], team.last_assigned_id)
    team.last_assigned_id = chosen
    manager = session.get(User, chosen)
    senior = None
    if manager is not None:
        head = manager.department.head_id if manager.department is not None else None
        senior = manager.manager_id or (head if head != manager.id else None)
    parts = [f"команда {team.name}"]
    if territory:
        parts.append(f"территория {territory}")
    if industry:
        parts.append(f"отрасль {industry}")
    parts.append(f"загрузка {least}")
    reason = "назначен по правилу: " + ", ".join(parts) + skipped
    if len([n for n in loads.values() if n == least]) > 1:
        reason += " (равная загрузка — по очереди)"
    session.flush()
    return RoutingDecision(manager_id=chosen, senior_id=senior, load=least, reason=reason)


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
