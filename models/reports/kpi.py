"""The KPI sheet for bonuses: per manager and month, figures, the bonus by the head's formula, closing.

Figures: leads processed (closed in the month), calls, meetings, deals won and their premium
(summaries), plan % (premium against the month's plan). The bonus is the head's formula
(``models.reports.formula``) over these names. Closing a month freezes every manager's figures
and bonus (``kpi_month``); afterwards the sheet shows the frozen values, and any figure that
has changed since (a deal re-dated, an activity logged late) as a correction beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.identity.users import User
from models.platform.permissions import AccessDenied
from models.platform.roles import Role
from models.reports.custom import Column, ReportResult
from models.reports.dashboard import rub
from models.reports.formula import FormulaError, evaluate, parse_formula
from models.reports.pages import managers_in_scope
from models.reports.periods import Period, period_of
from models.reports.plans import plans_for
from models.reports.scope import visible_owner_ids
from models.reports.stored import KpiMonth, KpiSettings
from models.reports.tables import ActivityBucket, OutcomeBucket
from models.sales.deals import DealStatus
from models.sales.leads import Lead

FIGURES = {
    "leads": "Лидов обработано",
    "calls": "Звонков",
    "meetings": "Встреч",
    "won": "Сделок выиграно",
    "premium": "Премия, ₽",
    "plan_pct": "План, %",
}
NAMES = frozenset(FIGURES)
DEFAULT_FORMULA = "premium * 0.03 + (premium * 0.02 if plan_pct >= 100 else 0)"
EDITORS = frozenset({Role.HEAD, Role.ADMIN})


@dataclass
class KpiRow:
    user: User
    figures: dict[str, Decimal]
    bonus: Decimal
    corrections: dict[str, Decimal] = field(default_factory=dict)  # current − frozen, for a closed month


@dataclass
class KpiSheet:
    month: date
    formula: str
    rows: list[KpiRow]
    closed: KpiMonth | None
    editable: bool


def current_formula(session: Session) -> str:
    settings = session.scalar(select(KpiSettings).order_by(KpiSettings.id))
    return settings.formula if settings else DEFAULT_FORMULA


def set_formula(session: Session, user: User, text: str, now: datetime) -> None:
    if Role(user.role) not in EDITORS:
        raise AccessDenied("Формулу премии задаёт руководитель")
    parse_formula(text, NAMES)
    settings = session.scalar(select(KpiSettings).order_by(KpiSettings.id)) or KpiSettings()
    settings.formula, settings.updated_by_id, settings.updated_at = text.strip(), user.id, now
    session.add(settings)
    session.flush()


def _figures(session: Session, ids: list[int], period: Period) -> dict[int, dict[str, Decimal]]:
    out = {i: {k: Decimal(0) for k in FIGURES} for i in ids}
    begin, end = period.utc_bounds()
    for owner, n in session.execute(
        select(Lead.assigned_to_id, func.count())
        .where(Lead.assigned_to_id.in_(ids), Lead.closed_at >= begin, Lead.closed_at < end)
        .group_by(Lead.assigned_to_id)
    ):
        out[int(owner or 0)]["leads"] = Decimal(n)
    for user_id, kind, n in session.execute(
        select(ActivityBucket.user_id, ActivityBucket.kind, func.sum(ActivityBucket.n))
        .where(
            ActivityBucket.user_id.in_(ids),
            ActivityBucket.day.between(period.start, period.end),
            ActivityBucket.kind.in_(("call", "meeting")),
        )
        .group_by(ActivityBucket.user_id, ActivityBucket.kind)
    ):
        out[user_id]["calls" if kind == "call" else "meetings"] = Decimal(int(n))
    for owner, n, premium in session.execute(
        select(OutcomeBucket.owner_id, func.sum(OutcomeBucket.n), func.sum(OutcomeBucket.premium_kop))
        .where(
            OutcomeBucket.owner_id.in_(ids),
            OutcomeBucket.status == DealStatus.WON,
            OutcomeBucket.day.between(period.start, period.end),
        )
        .group_by(OutcomeBucket.owner_id)
    ):
        out[owner]["won"], out[owner]["premium"] = Decimal(int(n)), rub(premium)
    plans = plans_for(session, period.start, ids)
    for i in ids:
        plan = plans.get(i)
        if plan and plan.premium_kop:
            out[i]["plan_pct"] = (out[i]["premium"] * 100 / rub(plan.premium_kop)).quantize(Decimal("0.1"))
    return out


def kpi_sheet(session: Session, user: User, month_day: date) -> KpiSheet:
    """The month's sheet for the managers ``user`` sees; frozen values and corrections once closed."""
    period = period_of("month", month_day)
    managers = managers_in_scope(session, visible_owner_ids(user))
    closed = session.get(KpiMonth, period.start)
    formula = closed.formula if closed else current_formula(session)
    tree = parse_formula(formula, NAMES)
    live = _figures(session, [m.id for m in managers], period)
    rows = []
    for manager in managers:
        figures = live[manager.id]
        frozen = (closed.figures or {}).get(str(manager.id)) if closed else None
        if frozen is not None:
            kept = {k: Decimal(v) for k, v in frozen["figures"].items()}
            corrections = {k: figures[k] - kept[k] for k in FIGURES if figures[k] != kept[k]}
            rows.append(KpiRow(manager, kept, Decimal(frozen["bonus"]), corrections))
        else:
            rows.append(KpiRow(manager, figures, evaluate(tree, figures)))
    return KpiSheet(period.start, formula, rows, closed, Role(user.role) in EDITORS)


def close_month(session: Session, user: User, month_day: date, now: datetime) -> KpiMonth:
    """Freeze the month's figures and bonuses of every manager; a closed month stays closed."""
    if Role(user.role) not in EDITORS:
        raise AccessDenied("Закрывает месяц руководитель")
    sheet = kpi_sheet(session, user, month_day)
    if sheet.closed is not None:
        raise FormulaError(f"Месяц {sheet.month:%m.%Y} уже закрыт")
    record = KpiMonth(
        month=sheet.month,
        closed_at=now,
        closed_by_id=user.id,
        formula=sheet.formula,
        figures={
            str(r.user.id): {"figures": {k: str(v) for k, v in r.figures.items()}, "bonus": str(r.bonus)}
            for r in sheet.rows
        },
    )
    session.add(record)
    session.flush()
    return record


def kpi_result(sheet: KpiSheet) -> ReportResult:
    """The sheet as a report table (XLSX export), corrections in a column of their own."""
    columns = [
        Column("Менеджер", "text"),
        *(Column(label, "money" if k == "premium" else "number") for k, label in FIGURES.items()),
        Column("Премия менеджеру, ₽", "money"),
        Column("Корректировки после закрытия", "text"),
    ]
    rows = [
        [
            r.user.full_name,
            *(r.figures[k] for k in FIGURES),
            r.bonus,
            "; ".join(f"{FIGURES[k]}: {'+' if v > 0 else ''}{v}" for k, v in r.corrections.items()),
        ]
        for r in sheet.rows
    ]
    return ReportResult(columns, rows)
