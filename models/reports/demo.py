"""Demo plans: a plan for every salesperson for each of the last twelve months and this one.

The sales demo closes deals over the same year, so «План/факт», the KPI sheet and the
coaching page compare a plan with a fact every month; plans differ per person (a newer
manager is planned lower) and grow a little over the year, as a head would set them.

Idempotent: a manager who has a plan for the month keeps it.
"""

from __future__ import annotations

from sqlalchemy import select

from models.identity.users import User
from models.platform.registry import DemoContext
from models.platform.roles import Role
from models.reports.periods import add_months, local_day, month_start
from models.reports.plans import SalesPlan, plans_for

MONTHS = 12
# (won deals, premium in roubles) planned per month for the demo sales team
_BASE = {"manager": (4, 3_000_000), "manager2": (4, 2_800_000), "manager3": (3, 2_000_000),
         "senior": (2, 1_500_000)}


def seed_plans(context: DemoContext) -> dict[str, int]:
    session = context.session
    this_month = month_start(local_day(context.clock.now()))
    managers = list(session.scalars(select(User).where(
        User.is_active, User.role.in_((Role.MANAGER.value, Role.SENIOR_MANAGER.value))).order_by(User.id)))
    created = 0
    for back in range(MONTHS, -1, -1):
        month = add_months(this_month, -back)
        existing = plans_for(session, month, [m.id for m in managers])
        growth = 100 + 2 * (MONTHS - back)  # per cent of the first month's plan
        for index, manager in enumerate(managers):
            if manager.id not in existing:
                deals, premium = _BASE.get(manager.login, (4 + index % 3, 2_000_000 + 500_000 * (index % 4)))
                session.add(SalesPlan(user_id=manager.id, month=month, deals=deals,
                                      premium_kop=premium * growth // 100 // 10_000 * 10_000 * 100))
                created += 1
    session.flush()
    return {"plans": created}
