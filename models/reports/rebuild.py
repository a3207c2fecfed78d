"""Recompute every summary table from the deals, stage entries and activities, in SQL.

For loads that bypass the ORM (the benchmark's COPY, a restored dump) and as a repair
(``crm reports rebuild``). The grouping mirrors ``models.reports.summaries`` exactly; the
Moscow day is computed by the database (``timezone()`` on PostgreSQL; on SQLite the zone's
offset, +3 hours, which holds for every date since 2014).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.reports.periods import NO_DATE, REPORT_ZONE
from models.reports.tables import (
    ALL_DAYS,
    PRODUCT_LEN,
    SUMMARY_TABLES,
    ActivityBucket,
    ChangeMark,
    DealTotal,
    OpenDealAge,
    OutcomeBucket,
    PipelineBucket,
    StageEntryBucket,
    StageEntryMonth,
)
from models.sales.activities import Activity
from models.sales.deals import Deal, DealStageHistory, DealStatus
from models.sales.leads import Lead
from models.tasks.adhoc import Task

SQLITE_OFFSET = "+3 hours"  # Europe/Moscow has been UTC+3 all year since 26 October 2014


def _day(pg: bool, column: Any) -> Any:
    if pg:
        return cast(func.timezone(str(REPORT_ZONE), column), Date)
    return func.date(column, SQLITE_OFFSET)


def _month(pg: bool, column: Any) -> Any:
    if pg:
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def _utc_day(pg: bool, column: Any) -> Any:
    """The UTC date of a stored moment (``summaries.utc_day``)."""
    return cast(func.timezone("UTC", column), Date) if pg else func.date(column)


def _kop(column: Any) -> Any:
    return cast(func.round(func.coalesce(column, 0) * 100), BigInteger)


def _seconds(pg: bool, start: Any, end: Any) -> Any:
    if pg:
        return cast(func.round(func.extract("epoch", end - start)), BigInteger)
    return cast(func.round((func.julianday(end) - func.julianday(start)) * 86400), BigInteger)


def _product() -> Any:
    return func.substr(func.coalesce(Deal.product_lines[0].as_string(), ""), 1, PRODUCT_LEN)


def rebuild_summaries(session: Session, *, marks: bool = True) -> dict[str, int]:
    """Empty the summaries and fill them again; give unmarked rows a BI change mark; rows per table."""
    pg = session.get_bind().dialect.name == "postgresql"
    for model in SUMMARY_TABLES:
        session.execute(delete(model))
    owner, product = func.coalesce(Deal.owner_id, 0), _product()
    close = func.coalesce(
        _month(pg, Deal.expected_close_date), literal(NO_DATE) if pg else NO_DATE.isoformat()
    )
    kop = _kop(Deal.premium)
    pipeline = (
        select(
            owner,
            Deal.funnel_id,
            Deal.stage_id,
            product,
            close,
            func.count(),
            func.sum(kop),
            func.sum(kop * Deal.probability),
        )
        .where(Deal.status == DealStatus.OPEN)
        .group_by(owner, Deal.funnel_id, Deal.stage_id, product, close)
    )
    session.execute(
        insert(PipelineBucket).from_select(
            [
                "owner_id",
                "funnel_id",
                "stage_id",
                "product",
                "close_month",
                "n",
                "premium_kop",
                "weighted_pk",
            ],
            pipeline,
        )
    )
    entry_day = _day(pg, DealStageHistory.entered_at)
    entries = (
        select(entry_day, owner, Deal.funnel_id, DealStageHistory.stage_id, product, func.count())
        .join(Deal, DealStageHistory.deal_id == Deal.id)
        .group_by(entry_day, owner, Deal.funnel_id, DealStageHistory.stage_id, product)
    )
    session.execute(
        insert(StageEntryBucket).from_select(
            ["day", "owner_id", "funnel_id", "stage_id", "product", "n"], entries
        )
    )
    month = cast(func.date_trunc("month", StageEntryBucket.day), Date) if pg else func.date(
        StageEntryBucket.day, "start of month"
    )
    by_month = [month, StageEntryBucket.owner_id, StageEntryBucket.funnel_id, StageEntryBucket.stage_id,
                StageEntryBucket.product]
    session.execute(  # the months from the days just written: the same entries, summed
        insert(StageEntryMonth).from_select(
            ["month", "owner_id", "funnel_id", "stage_id", "product", "n"],
            select(*by_month, func.sum(StageEntryBucket.n)).group_by(*by_month),
        )
    )
    closed_day = _day(pg, Deal.closed_at)
    won_premium = _kop(
        case(
            (Deal.status == DealStatus.WON, func.coalesce(Deal.contract_premium, Deal.premium)),
            else_=Deal.premium,
        )
    )
    reason = case((Deal.status == DealStatus.LOST, func.coalesce(Deal.loss_reason_id, 0)), else_=0)
    outcomes = (
        select(
            closed_day,
            owner,
            Deal.funnel_id,
            product,
            Deal.status,
            reason,
            func.count(),
            func.sum(won_premium),
            func.sum(_seconds(pg, Deal.created_at, Deal.closed_at)),
        )
        .where(Deal.status != DealStatus.OPEN, Deal.closed_at.is_not(None))
        .group_by(closed_day, owner, Deal.funnel_id, product, Deal.status, reason)
    )
    session.execute(
        insert(OutcomeBucket).from_select(
            [
                "day",
                "owner_id",
                "funnel_id",
                "product",
                "status",
                "loss_reason_id",
                "n",
                "premium_kop",
                "cycle_seconds",
            ],
            outcomes,
        )
    )
    act_day, user = _day(pg, Activity.happened_at), func.coalesce(Activity.user_id, 0)
    session.execute(
        insert(ActivityBucket).from_select(
            ["day", "user_id", "kind", "n"],
            select(act_day, user, Activity.kind, func.count()).group_by(act_day, user, Activity.kind),
        )
    )
    _rebuild_ages(session, pg, owner)
    totals = (owner, Deal.funnel_id, Deal.stage_id, Deal.status)
    session.execute(
        insert(DealTotal).from_select(
            ["owner_id", "funnel_id", "stage_id", "status", "n", "n_premium", "premium_kop", "weighted_pk"],
            select(*totals, func.count(), func.count(Deal.premium), func.coalesce(func.sum(kop), 0),
                   func.coalesce(func.sum(kop * Deal.probability), 0))
            .group_by(*totals),
        )
    )
    if marks:  # the BI feed's change marks for rows that never had one
        _mark_unmarked(session)
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in SUMMARY_TABLES}


def _rebuild_ages(session: Session, pg: bool, owner: Any) -> None:
    """``OpenDealAge``: open deals per UTC day of each clock, and the total row of each clock.

    Constants (the clock, the quiet clock's stage 0, the total's day) are inlined, not bound, so
    PostgreSQL does not ask for them in the GROUP BY.
    """
    all_days: Any = literal_column(f"DATE '{ALL_DAYS.isoformat()}'" if pg else f"'{ALL_DAYS.isoformat()}'")
    quiet = func.coalesce(Deal.last_activity_at, Deal.created_at)
    parts = []
    for clock, stage, moment in (("stage", Deal.stage_id, Deal.stage_entered_at),
                                 ("quiet", literal_column("0"), quiet)):
        for day in (_utc_day(pg, moment), all_days):
            varying: list[tuple[Any, bool]] = [(stage, clock == "stage"), (day, day is not all_days)]
            keys = [k for k, varies in varying if varies]
            parts.append(
                select(literal_column(f"'{clock}'"), stage, day, owner, Deal.funnel_id, func.count())
                .where(Deal.status == DealStatus.OPEN, moment.is_not(None))
                .group_by(*keys, owner, Deal.funnel_id)
            )
    session.execute(
        insert(OpenDealAge).from_select(
            ["clock", "stage_id", "day", "owner_id", "funnel_id", "n"], union_all(*parts)
        )
    )


def _mark_unmarked(session: Session) -> None:
    """Give rows the BI feed has never seen a change mark (their last known change)."""
    for code, model, moment in (
        ("deals", Deal, func.coalesce(Deal.closed_at, Deal.created_at)),
        ("activities", Activity, Activity.created_at),
        ("leads", Lead, func.coalesce(Lead.closed_at, Lead.created_at)),
        ("clients", Client, Client.updated_at),
        ("tasks", Task, Task.updated_at),
    ):
        known = select(ChangeMark.record_id).where(ChangeMark.entity == code)
        session.execute(
            insert(ChangeMark).from_select(
                ["entity", "record_id", "updated_at"],
                select(literal(code), model.id, moment).where(model.id.not_in(known)),
            )
        )
