"""Monthly plans per manager (won deals and premium), set by the head of sales.

One row per manager and month; the head edits them on the dashboard's «План/факт» page.
Plan vs fact reads the plan here and the fact from the outcome summary.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.money import parse_amount
from models.platform.permissions import AccessDenied
from models.platform.roles import Role

PLAN_EDITORS = frozenset({Role.HEAD, Role.ADMIN})


class SalesPlan(Base):
    __tablename__ = "report_plan"
    __audited__ = True
    __table_args__ = (UniqueConstraint("user_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    deals: Mapped[int] = mapped_column(Integer, default=0)
    premium_kop: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PlanError(ValueError):
    """A refused plan, with Russian messages per field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))


def plans_for(session: Session, month: date, user_ids: list[int] | None) -> dict[int, SalesPlan]:
    stmt = select(SalesPlan).where(SalesPlan.month == month)
    if user_ids is not None:
        stmt = stmt.where(SalesPlan.user_id.in_(user_ids))
    return {p.user_id: p for p in session.scalars(stmt)}


def set_plans(
    session: Session, editor: User, month: date, raw: dict[int, tuple[str, str]], now: datetime
) -> int:
    """Store plans ``{user_id: (deals, premium)}`` for ``month``; all or nothing. Only the head edits."""
    if Role(editor.role) not in PLAN_EDITORS:
        raise AccessDenied("Планы менеджеров меняет руководитель отдела продаж")
    errors: dict[str, list[str]] = {}
    parsed: dict[int, tuple[int, int]] = {}
    for user_id, (deals_text, premium_text) in raw.items():
        deals_text = (deals_text or "0").strip()
        if not deals_text.isdigit():
            errors.setdefault(f"deals_{user_id}", []).append("План по сделкам — целое число ≥ 0")
            continue
        try:  # «1 500 000,50» as typed, through the one parser of typed amounts
            premium = parse_amount((premium_text or "").strip() or "0")
        except ValueError:
            premium = Decimal(-1)
        if premium < 0:
            errors.setdefault(f"premium_{user_id}", []).append("План по премии — сумма в рублях ≥ 0")
            continue
        parsed[user_id] = (int(deals_text), int(premium * 100))
    known = set(session.scalars(select(User.id).where(User.id.in_(list(raw)))))
    for user_id in set(raw) - known:
        errors.setdefault(f"deals_{user_id}", []).append("Нет такого сотрудника")
    if errors:
        raise PlanError(errors)
    existing = plans_for(session, month, list(parsed))
    for user_id, (deals, premium_kop) in parsed.items():
        plan = existing.get(user_id) or SalesPlan(user_id=user_id, month=month)
        plan.deals, plan.premium_kop = deals, premium_kop
        plan.updated_by_id, plan.updated_at = editor.id, now
        session.add(plan)
    session.flush()
    return len(parsed)
