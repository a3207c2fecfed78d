"""Whose figures a user sees and the filters every dashboard and report takes.

The head, analysts, product specialists and admins see everyone; a senior manager the
department; a manager (and anyone else) only themself. Summaries are keyed by owner, so the
scope is an owner list applied to every query (``None`` = everyone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from models.identity.users import User, department_member_ids
from models.platform.roles import Role
from models.reports.periods import Period, parse_period
from models.sales.routing import SalesTeam, SalesTeamMember

SEE_EVERYONE = frozenset({Role.HEAD, Role.ANALYST, Role.ADMIN, Role.PRODUCT_SPECIALIST})


@dataclass(frozen=True)
class ReportFilter:
    """Period, funnel, team, manager and product a dashboard or report is cut by."""

    period: Period
    funnel_id: int | None = None
    team_id: int | None = None
    manager_id: int | None = None
    product: str | None = None
    args: dict[str, str] = field(default_factory=dict)  # as typed, for links and forms


def parse_filter(args: dict[str, str], now: datetime) -> ReportFilter:
    """The filter from query arguments; ``ValueError`` (Russian) on a bad one."""

    def number(name: str) -> int | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if not value.isdigit():
            raise ValueError(f"Фильтр «{name}»: ожидается номер")
        return int(value)

    period = parse_period(args.get("period") or None, args.get("date") or None, now)
    kept = {
        k: v
        for k, v in args.items()
        if k in ("period", "date", "funnel_id", "team_id", "manager_id", "product") and v
    }
    return ReportFilter(
        period=period,
        funnel_id=number("funnel_id"),
        team_id=number("team_id"),
        manager_id=number("manager_id"),
        product=(args.get("product") or "").strip() or None,
        args=kept,
    )


def visible_owner_ids(user: User) -> list[int] | None:
    """Owners whose deals ``user`` sees in reports; ``None`` means everyone."""
    role = Role(user.role)
    if role in SEE_EVERYONE:
        return None
    if role == Role.SENIOR_MANAGER and user.department_id is not None:
        members = department_member_ids(user)
        return list(members) if isinstance(members, list) else [user.id]
    return [user.id]


def owner_ids(session: Session, user: User, f: ReportFilter) -> list[int] | None:
    """The scope narrowed by the team and manager filters."""
    owners = visible_owner_ids(user)
    if f.team_id is not None:
        team = list(
            session.scalars(select(SalesTeamMember.user_id).where(SalesTeamMember.team_id == f.team_id))
        )
        owners = team if owners is None else [o for o in owners if o in team]
    if f.manager_id is not None:
        owners = [f.manager_id] if owners is None or f.manager_id in owners else []
    return owners


def owner_condition(column, owners: list[int] | None) -> ColumnElement[bool]:
    return true() if owners is None else column.in_(owners)


def teams(session: Session) -> list[SalesTeam]:
    return list(session.scalars(select(SalesTeam).order_by(SalesTeam.name)))
