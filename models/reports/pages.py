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
    """The dashboard's filter and choices (the shell) and its tiles' figures (empty until read)."""

    filter: ReportFilter
    funnel: Funnel | None
    steps: list[FunnelStep] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)
    forecasts: list[Forecast] = field(default_factory=list)
    outcomes: Outcomes = field(default_factory=Outcomes)
    plan: list[PlanRow] = field(default_factory=list)
    team_plan: PlanRow | None = None
    hot: list[HotDeal] = field(default_factory=list)
    losses_product: list[LossRow] = field(default_factory=list)
    losses_industry: list[LossRow] = field(default_factory=list)
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


TEAM_VIEWERS = (Role.HEAD, Role.SENIOR_MANAGER, Role.ANALYST, Role.ADMIN, Role.PRODUCT_SPECIALIST)
FLAGS = ("stuck", "no_activity", "offer_expiring", "registry")
# The parts of the dashboard page, each fetched by its own request (``dashboard_part``): the page
# then waits for its slowest tile, not for the sum of ten (p50 0.9–3.0 s in a row at 1 M deals).
PARTS = (*FLAGS, "funnel", "forecast", "plan", "outcomes", "hot", "losses_product", "losses_industry")


def dashboard_shell(session: Session, user: User, args: dict[str, str], now: datetime) -> Dashboard:
    """The page around the tiles: the filter, its choices and who is in scope; no figures.

    ``ValueError`` (Russian) on a bad filter, before any tile is asked for.
    """
    f = parse_filter(args, now)
    return Dashboard(
        filter=f,
        funnel=chosen_funnel(session, f),
        funnels=list(session.scalars(select(Funnel).where(Funnel.is_active).order_by(Funnel.id))),
        teams=teams(session),
        managers=managers_in_scope(session, owner_ids(session, user, ReportFilter(f.period))),
        own_only=own_only(user),
    )


def own_only(user: User) -> bool:
    """Whether the dashboard is «Мои показатели» (the user's own figures, no team rows)."""
    return Role(user.role) not in TEAM_VIEWERS


def _fill(session: Session, user: User, page: Dashboard, part: str, now: datetime) -> None:
    """Read one part's figures into ``page`` with ``user``'s scope."""
    f = page.filter
    owners = owner_ids(session, user, f)
    if part in FLAGS:
        page.flags[part] = TILES[part](session, owners, f, now)
    elif part == "funnel":
        page.steps = TILES["funnel"](session, owners, f, now)
    elif part == "forecast":
        page.forecasts = TILES["forecast"](session, owners, f, now)
    elif part in ("plan", "outcomes"):
        page.outcomes = TILES["outcomes"](session, owners, f, now)
        if part == "plan":
            month, managers = month_start(f.period.start), managers_in_scope(session, owners)
            page.plan, page.team_plan = plan_vs_fact(session, managers, month, page.outcomes)
    elif part == "hot":
        page.hot = TILES["hot_deals"](session, owners, f, now)
    elif part in ("losses_product", "losses_industry"):
        setattr(page, part, TILES[part](session, owners, f, now))
    else:
        raise KeyError(part)


def dashboard_part(session: Session, user: User, part: str, args: dict[str, str], now: datetime) -> Dashboard:
    """The shell's filter with one part's figures (``PARTS``); ``KeyError`` for an unknown part."""
    if part not in PARTS:
        raise KeyError(part)
    f = parse_filter(args, now)
    page = Dashboard(filter=f, funnel=chosen_funnel(session, f), own_only=own_only(user))
    _fill(session, user, page, part, now)
    return page


def dashboard_page(session: Session, user: User, args: dict[str, str], now: datetime) -> Dashboard:
    """Every tile for ``user``'s scope and the filter in ``args`` at once (the e-mail, the weekly report).

    ``ValueError`` (Russian) if the filter is bad. The page on screen reads ``dashboard_shell``
    and then each part by its own request.
    """
    page = dashboard_shell(session, user, args, now)
    for part in PARTS:
        if part != "outcomes":  # «plan» reads the outcomes too
            _fill(session, user, page, part, now)
    return page


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
