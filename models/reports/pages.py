"""What the dashboard and the plan page show, read in one call each (the views call only these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.roles import Role
from models.reports.dashboard import (
    CENT,
    TILES,
    Forecast,
    FunnelStep,
    HotDeal,
    LossRow,
    Outcomes,
    chosen_funnel,
    rub,
)
from models.reports.periods import month_start
from models.reports.plans import PLAN_EDITORS, plans_for, set_plans
from models.reports.scope import ReportFilter, owner_ids, parse_filter, teams
from models.sales.funnels import Funnel
from models.sales.routing import SalesTeam

SALES_ROLES = (Role.MANAGER.value, Role.SENIOR_MANAGER.value)
# The product lines offered in the filter (the deals' product lists use these names).
PRODUCTS = ("ДМС", "КАСКО", "ОСАГО", "Имущество", "Грузы", "Ответственность", "НС")


@dataclass
class PlanRow:
    user: User
    plan_deals: int
    plan_premium: Decimal
    won_deals: int
    won_premium: Decimal

    @property
    def percent(self) -> Decimal | None:
        """Fulfilment by premium (by deals when no premium is planned)."""
        if self.plan_premium:
            return (self.won_premium * 100 / self.plan_premium).quantize(Decimal("0.1"))
        if self.plan_deals:
            return (Decimal(self.won_deals * 100) / self.plan_deals).quantize(Decimal("0.1"))
        return None


@dataclass
class Dashboard:
    filter: ReportFilter
    funnel: Funnel | None
    steps: list[FunnelStep]
    flags: dict[str, int]
    forecasts: list[Forecast]
    outcomes: Outcomes
    plan: list[PlanRow]
    team_plan: PlanRow | None
    hot: list[HotDeal]
    losses_product: list[LossRow]
    losses_industry: list[LossRow]
    funnels: list[Funnel] = field(default_factory=list)
    teams: list[SalesTeam] = field(default_factory=list)
    managers: list[User] = field(default_factory=list)
    products: tuple[str, ...] = PRODUCTS
    own_only: bool = False


def managers_in_scope(session: Session, owners: list[int] | None) -> list[User]:
    stmt = select(User).where(User.is_active, User.role.in_(SALES_ROLES)).order_by(User.full_name)
    if owners is not None:
        stmt = stmt.where(User.id.in_(owners))
    return list(session.scalars(stmt))


def plan_vs_fact(
    session: Session, managers: list[User], month: date, outcomes: Outcomes
) -> tuple[list[PlanRow], PlanRow | None]:
    """Plan and won deals/premium per manager in ``month``, and the team's sum."""
    plans = plans_for(session, month, [m.id for m in managers])
    rows = []
    for manager in managers:
        plan = plans.get(manager.id)
        won, premium = outcomes.by_owner.get(manager.id, (0, Decimal(0)))
        rows.append(
            PlanRow(
                manager,
                plan.deals if plan else 0,
                rub(plan.premium_kop) if plan else Decimal(0),
                won,
                premium.quantize(CENT),
            )
        )
    if not rows:
        return rows, None
    total = PlanRow(
        User(full_name="Команда"),
        sum(r.plan_deals for r in rows),
        sum((r.plan_premium for r in rows), Decimal(0)),
        sum(r.won_deals for r in rows),
        sum((r.won_premium for r in rows), Decimal(0)),
    )
    return rows, total


def dashboard_page(session: Session, user: User, args: dict[str, str], now: datetime) -> Dashboard:
    """Every tile for ``user``'s scope and the filter in ``args``; ``ValueError`` (Russian) if bad."""
    f = parse_filter(args, now)
    owners = owner_ids(session, user, f)
    outcomes: Outcomes = TILES["outcomes"](session, owners, f, now)
    managers = managers_in_scope(session, owners)
    plan, team = plan_vs_fact(session, managers, month_start(f.period.start), outcomes)
    return Dashboard(
        filter=f,
        funnel=chosen_funnel(session, f),
        steps=TILES["funnel"](session, owners, f, now),
        flags={
            k: TILES[k](session, owners, f, now)
            for k in ("stuck", "no_activity", "offer_expiring", "registry")
        },
        forecasts=TILES["forecast"](session, owners, f, now),
        outcomes=outcomes,
        plan=plan,
        team_plan=team,
        hot=TILES["hot_deals"](session, owners, f, now),
        losses_product=TILES["losses_product"](session, owners, f, now),
        losses_industry=TILES["losses_industry"](session, owners, f, now),
        funnels=list(session.scalars(select(Funnel).where(Funnel.is_active).order_by(Funnel.id))),
        teams=teams(session),
        managers=managers_in_scope(session, owner_ids(session, user, ReportFilter(f.period))),
        own_only=Role(user.role)
        not in (Role.HEAD, Role.SENIOR_MANAGER, Role.ANALYST, Role.ADMIN, Role.PRODUCT_SPECIALIST),
    )


HOME_DASHBOARD = frozenset({Role.HEAD, Role.SENIOR_MANAGER})


def dashboard_is_home(user: User) -> bool:
    """Senior managers and the head start on the team dashboard; everyone else on the inbox."""
    return Role(user.role) in HOME_DASHBOARD


@dataclass
class PlanPage:
    month: date
    rows: list[PlanRow]
    editable: bool


def plan_page(session: Session, user: User, month_text: str | None, now: datetime) -> PlanPage:
    args = {"period": "month", "date": month_text or ""}
    f = parse_filter(args, now)
    owners = owner_ids(session, user, f)
    outcomes = TILES["outcomes"](session, owners, f, now)
    rows, _ = plan_vs_fact(session, managers_in_scope(session, owners), f.period.start, outcomes)
    return PlanPage(f.period.start, rows, Role(user.role) in PLAN_EDITORS)


def save_plans(session: Session, user: User, month_text: str, form: dict[str, str], now: datetime) -> int:
    """Plans typed on the plan page (``deals_<id>``, ``premium_<id>``) for the month; all or nothing."""
    month = parse_filter({"period": "month", "date": month_text}, now).period.start
    ids = {
        int(k.split("_", 1)[1])
        for k in form
        if k.startswith(("deals_", "premium_")) and k.split("_", 1)[1].isdigit()
    }
    raw = {i: (form.get(f"deals_{i}", ""), form.get(f"premium_{i}", "")) for i in ids}
    return set_plans(session, user, month, raw, now)
