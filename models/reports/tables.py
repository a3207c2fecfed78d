"""The summary tables the dashboard reads, and the indexes it adds to the deal and activity tables.

Each summary row is one bucket of a grouping key with additive measures, so a change of a
deal or an activity moves its contribution from one bucket to another by two atomic upserts
(``models.reports.summaries``) in the same transaction. Money is kept in kopecks
(``BigInteger``): exact on SQLite and PostgreSQL alike; the weighted forecast is kept as
``Σ premium_kop × probability`` (percent-kopecks) so no rounding happens per deal.
Missing keys are stored as 0 (no owner, no loss reason), '' (no product) or 1900-01-01
(no expected close date), because a primary key column cannot hold NULL.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models.clients.cards import Client
from models.platform.db import Base, UTCDateTime
from models.sales.activities import Activity
from models.sales.deals import Deal
from models.sales.leads import Lead

PRODUCT_LEN = 40


class PipelineBucket(Base):
    """Open deals now: count, premium and weighted premium by owner, funnel, stage, product, close month."""

    __tablename__ = "report_pipeline"

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funnel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(PRODUCT_LEN), primary_key=True)
    close_month: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    premium_kop: Mapped[int] = mapped_column(BigInteger, default=0)
    weighted_pk: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ premium_kop × probability %


class StageEntryBucket(Base):
    """Deals that entered a stage on a Moscow day (the funnel and its conversion)."""

    __tablename__ = "report_stage_entry"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funnel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(PRODUCT_LEN), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class StageEntryMonth(Base):
    """The same entries by Moscow month: a quarter's funnel sums a few thousand rows, not a day's each.

    Kept by the same hook as the day buckets (one more contribution per entry); whole months of a
    period read this table, the days at its edges (weeks) the day buckets.
    """

    __tablename__ = "report_stage_entry_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funnel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(PRODUCT_LEN), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class OutcomeBucket(Base):
    """Deals won or lost on a Moscow day: count, premium, summed cycle length, by loss reason."""

    __tablename__ = "report_outcome"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funnel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product: Mapped[str] = mapped_column(String(PRODUCT_LEN), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    loss_reason_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    premium_kop: Mapped[int] = mapped_column(BigInteger, default=0)
    cycle_seconds: Mapped[int] = mapped_column(BigInteger, default=0)


class ActivityBucket(Base):
    """Activities per Moscow day, employee and kind (coaching, KPI)."""

    __tablename__ = "report_activity_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


ALL_DAYS = date(9999, 12, 31)  # the «every day» row of ``OpenDealAge``: the total of its clock


class OpenDealAge(Base):
    """Open deals by the UTC day of a clock a warning flag compares with now, plus a total row.

    ``clock`` is ``stage`` (``stage_entered_at``, per stage: «stuck») or ``quiet``
    (``coalesce(last_activity_at, created_at)``, stage 0: «no activity»). These flags are crossed
    by the clock, not by a change of the deal, so a plain counter cannot hold them; but a count
    of deals whose clock is older than a cut-off is the total (the ``ALL_DAYS`` row) minus the
    day buckets after the cut-off's day, minus the deals of the cut-off's own day on the late
    side of it (read exactly from the deal index). The recent days are a few rows per owner, so
    a department's count reads a few hundred summary rows instead of ~350,000 index entries.
    """

    __tablename__ = "report_open_age"

    clock: Mapped[str] = mapped_column(String(10), primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funnel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class DealTotal(Base):
    """Every deal by owner, funnel, stage and status: count and premium (custom reports by manager).

    A custom report grouped by these keys with counts and premium sums («premium by manager»)
    is a sum over a few hundred rows instead of an aggregate over every deal in scope.
    ``n_premium`` counts the deals that have a premium (a group of none sums to NULL, as SQL does).
    The funnel board's column totals (count, premium, weighted premium) are read from here too
    when no filter needs the deals themselves (``models.sales.board``).
    """

    __tablename__ = "report_deal_total"

    owner_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    funnel_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    n_premium: Mapped[int] = mapped_column(BigInteger, default=0)
    premium_kop: Mapped[int] = mapped_column(BigInteger, default=0)
    weighted_pk: Mapped[int] = mapped_column(BigInteger, default=0)  # Σ premium_kop × probability %


class ChangeMark(Base):
    """When a record of an exported entity last changed: the cursor of the BI feed (``updated_since``)."""

    __tablename__ = "report_change"
    __table_args__ = (Index("ix_report_change_since", "entity", "updated_at", "record_id"),)

    entity: Mapped[str] = mapped_column(String(20), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


SUMMARY_TABLES = (PipelineBucket, StageEntryBucket, StageEntryMonth, OutcomeBucket, ActivityBucket,
                  OpenDealAge,
                  DealTotal)

# Indexed aggregates over the sales tables: the flag tiles (stuck, no activity, КП expiring,
# registry) count open deals by range scans on these, and the period lists (losses, top risks)
# read closed deals of a period by ``closed_at``. Declared here because the reports need them.
# The stuck, quiet, due and closed indexes carry the owner and the funnel after the range column
# (the due one also the premium and the id, the closed one the loss reason, the client and the premium), so a
# senior's or a manager's count, the hot deals' ranking and the losses of a period are answered
# from the index alone instead of one table lookup per deal (0020_report_speed).
DEAL_INDEXES = (
    Index("ix_report_deal_stuck_by", Deal.status, Deal.stage_id, Deal.stage_entered_at, Deal.owner_id,
          Deal.funnel_id),
    Index("ix_report_deal_quiet_by", Deal.status, func.coalesce(Deal.last_activity_at, Deal.created_at),
          Deal.owner_id, Deal.funnel_id, Deal.last_activity_at, Deal.created_at),
    Index("ix_report_deal_offer", Deal.status, Deal.offer_expires_on),
    Index("ix_report_deal_due", Deal.status, Deal.expected_close_date, Deal.owner_id, Deal.funnel_id,
          Deal.premium, Deal.id),
    Index("ix_report_deal_closed_by", Deal.status, Deal.closed_at, Deal.owner_id, Deal.funnel_id,
          Deal.loss_reason_id, Deal.client_id, Deal.premium),
    Index("ix_report_deal_owner_premium", Deal.owner_id, Deal.premium),  # custom reports by manager
    Index("ix_report_client_flag", Client.registry_flag),
    Index("ix_report_activity_user", Activity.user_id, Activity.happened_at),
    Index("ix_report_lead_closed", Lead.assigned_to_id, Lead.closed_at),
)
