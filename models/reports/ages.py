"""The «stuck» and «no activity» counts of the dashboard, from ``report_open_age`` (``OpenDealAge``).

Why not a plain counter: both flags are crossed by the clock (a deal becomes stuck at night
without anyone touching it), so no transaction could move it from «fresh» to «stuck». Why not
the deal index alone: a senior's count walked ~350,000 open deals' index entries checking the
owner of each (p95 1.1–1.4 s at 1,000,000 deals). Instead the open deals are kept per UTC day
of their clock (``stage_entered_at`` per stage; ``coalesce(last_activity_at, created_at)``)
with a total row per owner, in the same transaction as the deal change; a count of deals whose
clock is older than the cut-off is then exact and cheap:

    older = total − Σ days after the cut-off's day − deals of the cut-off's own day at or after it

The days after the cut-off are the threshold's few days per owner; the last term is read from
the deal index (``ix_report_deal_stuck_by`` / ``ix_report_deal_quiet_by``) over at most one day.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, literal, select, true
from sqlalchemy.orm import Session

from models.reports.scope import ReportFilter, owner_condition
from models.reports.summaries import utc_day
from models.reports.tables import ALL_DAYS, OpenDealAge
from models.sales.deals import NO_ACTIVITY_DAYS, Deal, DealStatus
from models.sales.funnels import FunnelStage, StageOutcome


def _funnel(column: Any, f: ReportFilter) -> Any:
    return column == f.funnel_id if f.funnel_id is not None else true()


def _older(owners: list[int] | None, f: ReportFilter, clock: str, stage_id: int, moment: Any,
           cutoff: datetime) -> Any:
    """Open deals in scope whose ``moment`` (clock ``clock``, stage ``stage_id``) is before ``cutoff``."""
    cut_day = utc_day(cutoff)
    signed = case((OpenDealAge.day == ALL_DAYS, OpenDealAge.n), else_=-OpenDealAge.n)
    summed = (
        select(func.coalesce(func.sum(signed), 0))
        .where(
            OpenDealAge.clock == clock,
            OpenDealAge.stage_id == stage_id,
            OpenDealAge.day > cut_day,
            owner_condition(OpenDealAge.owner_id, owners),
            _funnel(OpenDealAge.funnel_id, f),
        )
        .scalar_subquery()
    )
    midnight = datetime.combine(cut_day + timedelta(days=1), time(), UTC)
    same_day_late = (
        select(func.count())
        .select_from(Deal)
        .where(
            Deal.status == DealStatus.OPEN,
            Deal.stage_id == stage_id if clock == "stage" else true(),
            moment >= cutoff,
            moment < midnight,
            owner_condition(Deal.owner_id + 0, owners),  # + 0: the clock's covering index, not the owner's
            _funnel(Deal.funnel_id + 0, f),
        )
        .scalar_subquery()
    )
    return summed - same_day_late


def stuck_count(session: Session, owners: list[int] | None, f: ReportFilter, now: datetime) -> int:
    """Open deals in scope longer in their stage than the stage's threshold (the deals list's «stuck»)."""
    stages = session.execute(
        select(FunnelStage.id, FunnelStage.stuck_after_days).where(
            FunnelStage.stuck_after_days.is_not(None), FunnelStage.outcome == StageOutcome.OPEN
        )
    ).all()
    parts = [_older(owners, f, "stage", sid, Deal.stage_entered_at, now - timedelta(days=days or 0))
             for sid, days in stages]
    if not parts:
        return 0
    return int(session.scalar(select(sum(parts[1:], parts[0]))) or 0)


def quiet_count(session: Session, owners: list[int] | None, f: ReportFilter, now: datetime) -> int:
    """Open deals in scope without an activity for ``NO_ACTIVITY_DAYS`` (the list's «no activity»)."""
    moment = func.coalesce(Deal.last_activity_at, Deal.created_at)
    older = _older(owners, f, "quiet", 0, moment, now - timedelta(days=NO_ACTIVITY_DAYS))
    return int(session.scalar(select(older + literal(0))) or 0)
