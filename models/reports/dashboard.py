"""The team dashboard's tiles: each a small query on a summary table or an indexed range of deals.

Every tile takes the session, the owners in scope (``None`` = everyone), the filter and the
clock's now, so the benchmark can time each one alone (``TILES``). Money comes back as
``Decimal`` rubles; links are query arguments for the deals list behind the tile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session, load_only, selectinload

from models.clients.cards import Client
from models.reports.ages import quiet_count, stuck_count
from models.reports.periods import add_months, local_day, month_start, period_of
from models.reports.scope import ReportFilter, owner_condition
from models.reports.tables import OutcomeBucket, PipelineBucket, StageEntryBucket, StageEntryMonth
from models.sales.deals import Deal, DealStatus, deal_flags
from models.sales.funnels import Funnel, FunnelStage, LossReason, StageOutcome
from models.sales.queries import flag_condition

COMMIT_PROBABILITY = 70  # a stage this likely or more counts as «commit»
BEST_PROBABILITY = 40  # … and this likely or more as «best case»
HOT_HORIZON_DAYS = 14
CENT = Decimal("0.01")


def rub(kopecks: int | None) -> Decimal:
    return (Decimal(kopecks or 0) / 100).quantize(CENT)


def chosen_funnel(session: Session, f: ReportFilter) -> Funnel | None:
    if f.funnel_id is not None:
        return session.get(Funnel, f.funnel_id)
    return session.scalar(
        select(Funnel).where(Funnel.is_active).order_by((Funnel.code != "company"), Funnel.id)
    )


def _product(column: Any, f: ReportFilter) -> Any:
    return column == f.product if f.product else true()


def _funnel(column: Any, f: ReportFilter) -> Any:
    return column == f.funnel_id if f.funnel_id is not None else true()


@dataclass
class FunnelStep:
    code: str
    name: str
    n: int
    previous: int
    conversion: Decimal | None  # % of the first stage


def _month_spans(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole months inside ``start..end`` (first and last month's first day) and the days outside them."""
    first = start if start.day == 1 else add_months(start, 1)
    after = end + timedelta(days=1)
    last_end = end if after.day == 1 else month_start(end) - timedelta(days=1)
    if first > last_end:
        return None, [(start, end)]
    before, later = (start, first - timedelta(days=1)), (last_end + timedelta(days=1), end)
    edges = [(a, b) for a, b in (before, later) if a <= b]
    return (first, month_start(last_end)), edges


def _entries(session: Session, owners: list[int] | None, f: ReportFilter, funnel_id: int, start, end) -> dict:
    """Entries per stage in ``start..end``: whole months from the month buckets, edge days from the days."""
    months, days = _month_spans(start, end)
    out: dict[int, int] = {}
    ranges: list[tuple[Any, Any, Any]] = [(StageEntryBucket, a, b) for a, b in days]
    if months is not None:
        ranges.append((StageEntryMonth, *months))
    for model, a, b in ranges:
        key = model.month if model is StageEntryMonth else model.day
        rows = session.execute(
            select(model.stage_id, func.sum(model.n))
            .where(
                model.funnel_id == funnel_id,
                key.between(a, b),
                owner_condition(model.owner_id, owners),
                _product(model.product, f),
            )
            .group_by(model.stage_id)
        )
        for stage_id, n in rows:
            out[stage_id] = out.get(stage_id, 0) + int(n or 0)
    return out


def funnel_tile(
    session: Session, owners: list[int] | None, f: ReportFilter, now: datetime
) -> list[FunnelStep]:
    """Deals entering each stage of the funnel in the period, beside the previous period; lost left out."""
    funnel = chosen_funnel(session, f)
    if funnel is None:
        return []
    previous = f.period.previous()
    current = _entries(session, owners, f, funnel.id, f.period.start, f.period.end)
    before = _entries(session, owners, f, funnel.id, previous.start, previous.end)
    stages = [s for s in funnel.stages if s.outcome != StageOutcome.LOST]
    first = current.get(stages[0].id, 0) if stages else 0
    return [
        FunnelStep(
            s.code,
            s.name,
            current.get(s.id, 0),
            before.get(s.id, 0),
            (Decimal(current.get(s.id, 0) * 100) / first).quantize(Decimal("0.1")) if first else None,
        )
        for s in stages
    ]


def _scoped_count(condition: Any, owners: list[int] | None, f: ReportFilter) -> Any:
    """A count of deals in scope; ``owner_id + 0`` keeps SQLite on the flag's own (covering) index.

    With a bare ``owner_id IN (…)`` SQLite picks the owner index and fetches every open deal of
    the department from the table (seconds for a manager's «stuck»); the sum is the same value.
    """
    return (
        select(func.count())
        .select_from(Deal)
        .where(condition, owner_condition(Deal.owner_id + 0, owners), _funnel(Deal.funnel_id + 0, f))
        .scalar_subquery()
    )


def flag_count(session: Session, owners: list[int] | None, f: ReportFilter, now: datetime, flag: str) -> int:
    """Open deals in scope carrying ``flag`` now (the deals list's own condition).

    «Stuck» and «no activity» are read from the day buckets of their clocks (``models.reports.ages``);
    the КП and registry flags from their indexes.
    """
    if flag == "stuck":
        return stuck_count(session, owners, f, now)
    if flag == "no_activity":
        return quiet_count(session, owners, f, now)
    return int(session.scalar(select(_scoped_count(flag_condition(session, flag, now), owners, f))) or 0)


@dataclass
class Forecast:
    label: str
    pipeline: Decimal
    best: Decimal
    commit: Decimal
    weighted: Decimal
    deals: int


def forecast_tile(
    session: Session, owners: list[int] | None, f: ReportFilter, now: datetime
) -> list[Forecast]:
    """Open deals by expected close date in this month and this quarter: pipeline, best, commit, weighted."""
    today = local_day(now)
    out = []
    for kind in ("month", "quarter"):
        period = period_of(kind, today)
        rows = session.execute(
            select(
                FunnelStage.probability,
                func.sum(PipelineBucket.n),
                func.sum(PipelineBucket.premium_kop),
                func.sum(PipelineBucket.weighted_pk),
            )
            .join(FunnelStage, FunnelStage.id == PipelineBucket.stage_id)
            .where(
                PipelineBucket.close_month.in_(period.months()),
                owner_condition(PipelineBucket.owner_id, owners),
                _funnel(PipelineBucket.funnel_id, f),
                _product(PipelineBucket.product, f),
            )
            .group_by(FunnelStage.probability)
        ).all()
        pipeline = sum(int(p or 0) for _, _, p, _ in rows)
        best = sum(int(p or 0) for prob, _, p, _ in rows if prob >= BEST_PROBABILITY)
        commit = sum(int(p or 0) for prob, _, p, _ in rows if prob >= COMMIT_PROBABILITY)
        weighted = Decimal(sum(int(w or 0) for *_, w in rows)) / 100
        out.append(
            Forecast(
                period.label,
                rub(pipeline),
                rub(best),
                rub(commit),
                rub(int(weighted)),
                sum(int(n or 0) for _, n, _, _ in rows),
            )
        )
    return out


@dataclass
class Outcomes:
    won: int = 0
    won_premium: Decimal = Decimal(0)
    lost: int = 0
    avg_premium: Decimal | None = None
    avg_cycle_days: Decimal | None = None
    by_owner: dict[int, tuple[int, Decimal]] = field(default_factory=dict)


def outcomes_tile(session: Session, owners: list[int] | None, f: ReportFilter, now: datetime) -> Outcomes:
    """Won and lost in the period: counts, won premium, average deal size and cycle, won per owner."""
    rows = session.execute(
        select(
            OutcomeBucket.owner_id,
            OutcomeBucket.status,
            func.sum(OutcomeBucket.n),
            func.sum(OutcomeBucket.premium_kop),
            func.sum(OutcomeBucket.cycle_seconds),
        )
        .where(
            OutcomeBucket.day.between(f.period.start, f.period.end),
            owner_condition(OutcomeBucket.owner_id, owners),
            _funnel(OutcomeBucket.funnel_id, f),
            _product(OutcomeBucket.product, f),
        )
        .group_by(OutcomeBucket.owner_id, OutcomeBucket.status)
    ).all()
    out, won_kop, cycle = Outcomes(), 0, 0
    for owner, status, n, premium, seconds in rows:
        if status == DealStatus.WON:
            out.won += int(n)
            won_kop += int(premium or 0)
            cycle += int(seconds or 0)
            count, money = out.by_owner.get(owner, (0, Decimal(0)))
            out.by_owner[owner] = (count + int(n), money + rub(premium))
        else:
            out.lost += int(n)
    out.won_premium = rub(won_kop)
    if out.won:
        out.avg_premium = (Decimal(won_kop) / 100 / out.won).quantize(CENT)
        out.avg_cycle_days = (Decimal(cycle) / 86400 / out.won).quantize(Decimal("0.1"))
    return out


@dataclass
class LossRow:
    reason: str
    group: str
    n: int
    premium: Decimal


def losses_by_product(
    session: Session, owners: list[int] | None, f: ReportFilter, now: datetime
) -> list[LossRow]:
    rows = session.execute(
        select(
            LossReason.name,
            OutcomeBucket.product,
            func.sum(OutcomeBucket.n),
            func.sum(OutcomeBucket.premium_kop),
        )
        .join(LossReason, LossReason.id == OutcomeBucket.loss_reason_id)
        .where(
            OutcomeBucket.status == DealStatus.LOST,
            OutcomeBucket.day.between(f.period.start, f.period.end),
            owner_condition(OutcomeBucket.owner_id, owners),
            _funnel(OutcomeBucket.funnel_id, f),
            _product(OutcomeBucket.product, f),
        )
        .group_by(LossReason.name, OutcomeBucket.product)
    )
    return sorted(
        (LossRow(r, p or "без продукта", int(n), rub(k)) for r, p, n, k in rows),
        key=lambda x: (-x.n, x.reason, x.group),
    )


def losses_by_industry(
    session: Session, owners: list[int] | None, f: ReportFilter, now: datetime
) -> list[LossRow]:
    begin, end = f.period.utc_bounds()
    rows = session.execute(
        select(LossReason.name, Client.industry, func.count(), func.sum(Deal.premium))
        .join(LossReason, LossReason.id == Deal.loss_reason_id)
        .join(Client, Client.id == Deal.client_id)
        .where(
            Deal.status == DealStatus.LOST,
            Deal.closed_at >= begin,
            Deal.closed_at < end,
            owner_condition(Deal.owner_id, owners),
            _funnel(Deal.funnel_id, f),
        )
        .group_by(LossReason.name, Client.industry)
    )
    return sorted(
        (
            LossRow(r, i or "отрасль не указана", int(n), Decimal(p or 0).quantize(CENT))
            for r, i, n, p in rows
        ),
        key=lambda x: (-x.n, x.reason, x.group),
    )


@dataclass
class HotDeal:
    deal: Deal
    reasons: list[str]


def hot_deals(
    session: Session, owners: list[int] | None, f: ReportFilter, now: datetime, limit: int = 5
) -> list[HotDeal]:
    """Top open deals by premium closing within two weeks (or overdue) that carry a warning, with reasons."""
    today = local_day(now)
    ranked = (  # the ids first, from ``ix_report_deal_due`` alone; then only those deals are loaded
        select(Deal.id)
        .where(
            Deal.status == DealStatus.OPEN,
            Deal.expected_close_date.between(
                today - timedelta(days=60), today + timedelta(days=HOT_HORIZON_DAYS)
            ),
            owner_condition(Deal.owner_id + 0, owners),  # + 0: the due index, not the owner's (see above)
            _funnel(Deal.funnel_id + 0, f),
        )
        .order_by(Deal.premium.desc().nulls_last(), Deal.id)
        .limit(200)
    )
    ids = list(session.scalars(ranked))
    # only what the flags and the tile read: 200 whole deals with their clients and owners cost
    # more than the ranking itself (PostgreSQL, a department: ~90 ms of ~110 ms)
    loaded = {
        d.id: d
        for d in session.scalars(
            select(Deal)
            .options(
                load_only(Deal.title, Deal.status, Deal.premium, Deal.stage_id, Deal.client_id,
                          Deal.stage_entered_at, Deal.last_activity_at, Deal.created_at,
                          Deal.offer_expires_on, Deal.expected_close_date),
                selectinload(Deal.stage).load_only(FunnelStage.stuck_after_days),
                selectinload(Deal.client).load_only(Client.registry_flag),
            )
            .where(Deal.id.in_(ids))
        )
    }
    labels = {
        "stuck": "застряла на этапе",
        "no_activity": "нет активности > 7 дней",
        "offer_expiring": "КП истекает < 3 дней",
        "registry": "клиент отмечен реестром",
    }
    out = []
    for deal in (loaded[i] for i in ids):
        reasons = [labels[code] for code in deal_flags(deal, now)]
        if deal.expected_close_date is not None and deal.expected_close_date < today:
            reasons.insert(0, f"срок закрытия прошёл ({deal.expected_close_date:%d.%m.%Y})")
        if reasons:
            out.append(HotDeal(deal, reasons))
    out.sort(key=lambda h: (-len(h.reasons), -(h.deal.premium or 0), h.deal.id))
    return out[:limit]


def _flag_tile(flag: str):
    def tile(session: Session, owners: list[int] | None, f: ReportFilter, now: datetime) -> int:
        return flag_count(session, owners, f, now, flag)

    tile.__doc__ = f"Open deals flagged «{flag}»."
    return tile


TILES = {
    "funnel": funnel_tile,
    "stuck": _flag_tile("stuck"),
    "no_activity": _flag_tile("no_activity"),
    "offer_expiring": _flag_tile("offer_expiring"),
    "registry": _flag_tile("registry"),
    "forecast": forecast_tile,
    "outcomes": outcomes_tile,
    "losses_product": losses_by_product,
    "losses_industry": losses_by_industry,
    "hot_deals": hot_deals,
}
