"""The discount log per manager for the coaching report: requested vs approved, approval rate, averages.

For each manager with requests created in the period: how many were asked, approved
(directly or by accepting a counter-offer), rejected, countered and declined, recalled and
still open; the approval rate (approved ÷ decided — recalled and open ones are not
decisions); the average discount asked and the average approved; and the premium given
away by approved discounts. One grouped query over ``discount_request``.

Who sees whom: a senior manager the department, the head, analysts and admins everyone,
anybody else their own line (``rows_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.discounts.requests import DiscountRequest, RequestStatus
from models.identity.users import User
from models.platform.roles import Role

SEE_EVERYONE = frozenset({Role.HEAD, Role.ANALYST, Role.ADMIN, Role.UNDERWRITER})


@dataclass(frozen=True)
class LogRow:
    user_id: int
    name: str
    requested: int
    approved: int
    rejected: int
    declined: int
    recalled: int
    open: int
    avg_requested: Decimal | None
    avg_approved: Decimal | None
    given_away: Decimal  # premium lost to approved discounts, RUB

    @property
    def decided(self) -> int:
        return self.approved + self.rejected + self.declined

    @property
    def approval_rate(self) -> Decimal | None:
        """Approved ÷ decided, per cent; None before any decision."""
        if not self.decided:
            return None
        return (Decimal(self.approved) * 100 / self.decided).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _avg(value: object) -> Decimal | None:
    return Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP) if value is not None else None


def _count(status: str | tuple[str, ...]):
    states = (status,) if isinstance(status, str) else status
    return func.sum(case((DiscountRequest.status.in_(states), 1), else_=0))


def rows_for(
    session: Session, viewer: User, since: datetime, until: datetime, manager_id: int | None = None
) -> list[LogRow]:
    """The log lines ``viewer`` may see for requests created in [since, until)."""
    approved = DiscountRequest.status == RequestStatus.APPROVED
    stmt = (
        select(
            DiscountRequest.requester_id,
            User.full_name,
            func.count(DiscountRequest.id),
            _count(RequestStatus.APPROVED),
            _count(RequestStatus.REJECTED),
            _count(RequestStatus.DECLINED),
            _count(RequestStatus.RECALLED),
            _count(RequestStatus.OPEN),
            func.avg(DiscountRequest.discount_pct),
            func.avg(case((approved, DiscountRequest.approved_pct), else_=None)),
            func.sum(
                case((approved, DiscountRequest.base_premium * DiscountRequest.approved_pct / 100), else_=0)
            ),
        )
        .join(User, User.id == DiscountRequest.requester_id)
        .where(DiscountRequest.created_at >= since, DiscountRequest.created_at < until)
        .group_by(DiscountRequest.requester_id, User.full_name)
        .order_by(User.full_name)
    )
    role = Role(viewer.role)
    if role == Role.SENIOR_MANAGER and viewer.department_id is not None:
        stmt = stmt.where(User.department_id == viewer.department_id)
    elif role not in SEE_EVERYONE:
        stmt = stmt.where(DiscountRequest.requester_id == viewer.id)
    if manager_id is not None:
        stmt = stmt.where(DiscountRequest.requester_id == manager_id)
    rows = session.execute(stmt)
    return [
        LogRow(
            user_id,
            name,
            int(total),
            int(ok or 0),
            int(no or 0),
            int(declined or 0),
            int(recalled or 0),
            int(pending or 0),
            _avg(avg_asked),
            _avg(avg_ok),
            Decimal(str(given or 0)).quantize(Decimal("0.01"), ROUND_HALF_UP),
        )
        for user_id, name, total, ok, no, declined, recalled, pending, avg_asked, avg_ok, given in rows
    ]
