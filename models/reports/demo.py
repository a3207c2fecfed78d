"""Demo plans: this month's and last month's plan for every manager, so «План/факт» is not empty.

Idempotent: a manager who has a plan for the month keeps it.
"""

from __future__ import annotations

from sqlalchemy import select

from models.identity.users import User
from models.platform.registry import DemoContext
from models.platform.roles import Role
from models.reports.periods import add_months, local_day, month_start
from models.reports.plans import SalesPlan, plans_for


def seed_plans(context: DemoContext) -> dict[str, int]:
    session = context.session
    this_month = month_start(local_day(context.clock.now()))
    managers = list(session.scalars(select(User).where(
        User.is_active, User.role.in_((Role.MANAGER.value, Role.SENIOR_MANAGER.value))).order_by(User.id)))
    created = 0
    for month in (add_months(this_month, -1), this_month):
        existing = plans_for(session, month, [m.id for m in managers])
        for index, manager in enumerate(managers):
            if manager.id not in existing:
                session.add(SalesPlan(user_id=manager.id, month=month, deals=4 + index % 3,
                                      premium_kop=(2_000_000 + 500_000 * (index % 4)) * 100))
                created += 1
    session.flush()
    return {"plans": created}
