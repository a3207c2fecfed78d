"""The weekly management report and the coaching report per manager.

The weekly report is the dashboard cut by the week (plan fulfilment for the month so far,
the funnel against last week, top-5 at risk, losses by product and industry, the weighted
forecast) as a page, a print view and an XLSX. Coaching puts each manager's figures for the
period beside the team median: КП → contract conversion (deals entering «КП отправлено» or
«Тендер» against deals won), the average cycle, calls and meetings per week, the top loss
reasons and discounts requested against approved (the discount sign-off).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.discounts.requests import DiscountRequest, RequestStatus
from models.identity.users import User
from models.reports.custom import Column, ReportResult
from models.reports.pages import Dashboard, dashboard_page, managers_in_scope
from models.reports.scope import owner_ids, parse_filter
from models.reports.tables import ActivityBucket, OutcomeBucket, StageEntryBucket
from models.sales.deals import DealStatus
from models.sales.funnels import FunnelStage, LossReason, StageOutcome

OFFER_STAGES = ("offer_sent", "tender")


def weekly_report(session: Session, user: User, args: dict[str, str], now: datetime) -> Dashboard:
    """The dashboard for the week named in ``args`` (this week by default)."""
    return dashboard_page(session, user, {**args, "period": "week"}, now)


def weekly_sheets(page: Dashboard) -> list[tuple[str, ReportResult]]:
    """The weekly report's tables for the XLSX."""
    funnel = ReportResult(
        [
            Column("Этап", "text"),
            Column("Неделя", "int"),
            Column("Пред. неделя", "int"),
            Column("Конверсия, %", "number"),
        ],
        [[s.name, s.n, s.previous, s.conversion] for s in page.steps],
    )
    plan = ReportResult(
        [
            Column("Менеджер", "text"),
            Column("План, премия", "money"),
            Column("Факт", "money"),
            Column("%", "number"),
        ],
        [[r.user.full_name, r.plan_premium, r.won_premium, r.percent] for r in page.plan],
    )
    risk = ReportResult(
        [Column("Сделка", "text"), Column("Премия", "money"), Column("Причины", "text")],
        [[h.deal.title, h.deal.premium, "; ".join(h.reasons)] for h in page.hot],
    )
    losses = ReportResult(
        [
            Column("Причина", "text"),
            Column("Продукт / отрасль", "text"),
            Column("Сделок", "int"),
            Column("Премия", "money"),
        ],
        [[r.reason, r.group, r.n, r.premium] for r in page.losses_product + page.losses_industry],
    )
    forecast = ReportResult(
        [
            Column("Период", "text"),
            Column("Вся воронка", "money"),
            Column("Лучший случай", "money"),
            Column("Надёжные", "money"),
            Column("Взвешенный", "money"),
        ],
        [[f.label, f.pipeline, f.best, f.commit, f.weighted] for f in page.forecasts],
    )
    return [
        ("Воронка", funnel),
        ("План-факт", plan),
        ("Под угрозой", risk),
        ("Проигрыши", losses),
        ("Прогноз", forecast),
    ]


@dataclass
class CoachingRow:
    user: User
    metrics: dict[str, Decimal | None]
    loss_reasons: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Coaching:
    label: str
    rows: list[CoachingRow]
    median: dict[str, Decimal | None]


METRICS = {
    "offer_conversion": "КП → договор, %",
    "cycle_days": "Средний цикл, дн.",
    "calls_week": "Звонков в неделю",
    "meetings_week": "Встреч в неделю",
    "discounts_requested": "Скидок запрошено",
    "discounts_approved": "Скидок согласовано",
}


def _ratio(a: int, b: int, scale: int = 100) -> Decimal | None:
    return (Decimal(a * scale) / b).quantize(Decimal("0.1")) if b else None


def _per_week(count: int, weeks: Decimal) -> Decimal:
    return (Decimal(count) / weeks).quantize(Decimal("0.1"), ROUND_HALF_UP)


def coaching_report(session: Session, user: User, args: dict[str, str], now: datetime) -> Coaching:
    """Each manager in scope beside the team median, for the period in ``args`` (this month by default)."""
    f = parse_filter(args, now)
    managers = managers_in_scope(session, owner_ids(session, user, f))
    ids = [m.id for m in managers]
    start, end = f.period.start, f.period.end
    offers, won = Counter[int](), Counter[int]()
    for owner, code, outcome, n in session.execute(
        select(StageEntryBucket.owner_id, FunnelStage.code, FunnelStage.outcome, func.sum(StageEntryBucket.n))
        .join(FunnelStage, FunnelStage.id == StageEntryBucket.stage_id)
        .where(StageEntryBucket.owner_id.in_(ids), StageEntryBucket.day.between(start, end))
        .group_by(StageEntryBucket.owner_id, FunnelStage.code, FunnelStage.outcome)
    ):
        if code in OFFER_STAGES:
            offers[owner] += int(n)
        elif outcome == StageOutcome.WON:
            won[owner] += int(n)
    cycles = {
        o: (int(s), int(n))
        for o, n, s in session.execute(
            select(OutcomeBucket.owner_id, func.sum(OutcomeBucket.n), func.sum(OutcomeBucket.cycle_seconds))
            .where(
                OutcomeBucket.owner_id.in_(ids),
                OutcomeBucket.status == DealStatus.WON,
                OutcomeBucket.day.between(start, end),
            )
            .group_by(OutcomeBucket.owner_id)
        )
    }
    acts = {
        (u, k): int(n)
        for u, k, n in session.execute(
            select(ActivityBucket.user_id, ActivityBucket.kind, func.sum(ActivityBucket.n))
            .where(ActivityBucket.user_id.in_(ids), ActivityBucket.day.between(start, end))
            .group_by(ActivityBucket.user_id, ActivityBucket.kind)
        )
    }
    losses: dict[int, list[tuple[str, int]]] = {}
    for owner, reason, n in session.execute(
        select(OutcomeBucket.owner_id, LossReason.name, func.sum(OutcomeBucket.n))
        .join(LossReason, LossReason.id == OutcomeBucket.loss_reason_id)
        .where(OutcomeBucket.owner_id.in_(ids), OutcomeBucket.day.between(start, end))
        .group_by(OutcomeBucket.owner_id, LossReason.name)
        .order_by(func.sum(OutcomeBucket.n).desc())
    ):
        losses.setdefault(owner, []).append((reason, int(n)))
    begin, finish = f.period.utc_bounds()
    asked = Counter[int]()
    approved = Counter[int]()
    for requester, status in session.execute(
        select(DiscountRequest.requester_id, DiscountRequest.status).where(
            DiscountRequest.requester_id.in_(ids),
            DiscountRequest.created_at >= begin,
            DiscountRequest.created_at < finish,
        )
    ):
        asked[int(requester or 0)] += 1
        approved[int(requester or 0)] += int(status == RequestStatus.APPROVED)
    weeks = Decimal((end - start).days + 1) / 7
    rows = []
    for m in managers:
        seconds, count = cycles.get(m.id, (0, 0))
        rows.append(
            CoachingRow(
                m,
                {
                    "offer_conversion": _ratio(won[m.id], offers[m.id]),
                    "cycle_days": _ratio(seconds, count * 86400, 1),
                    "calls_week": _per_week(acts.get((m.id, "call"), 0), weeks),
                    "meetings_week": _per_week(acts.get((m.id, "meeting"), 0), weeks),
                    "discounts_requested": Decimal(asked[m.id]),
                    "discounts_approved": Decimal(approved[m.id]),
                },
                losses.get(m.id, [])[:3],
            )
        )
    median: dict[str, Decimal | None] = {}
    for key in METRICS:
        values = [v for r in rows if (v := r.metrics[key]) is not None]
        median[key] = Decimal(statistics.median(values)).quantize(Decimal("0.1")) if values else None
    return Coaching(f.period.label, rows, median)
