"""Tables of what users keep: saved reports, subscriptions to scheduled e-mail, KPI settings, closed months.

Kept apart from the logic (``custom``, ``schedules``, ``kpi``) so the schema reads in one place.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow


class SavedReport(Base):
    """A custom report: entity, filters, up to two group-bys, measures, chart; shared with roles."""

    __tablename__ = "saved_report"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(30))
    definition: Mapped[dict] = mapped_column(JSON, default=dict)
    chart: Mapped[str] = mapped_column(String(20), default="bar")
    shared_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportSubscription(Base):
    """A report or dashboard e-mailed on a schedule (weekday and time in a zone) to users and roles."""

    __tablename__ = "report_subscription"
    __audited__ = True
    __table_args__ = (Index("ix_report_subscription_due", "active", "next_run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(20))  # saved | dashboard | weekly | kpi
    saved_report_id: Mapped[int | None] = mapped_column(ForeignKey("saved_report.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday; None = every day
    hour: Mapped[int] = mapped_column(Integer, default=9)
    minute: Mapped[int] = mapped_column(Integer, default=0)
    zone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    recipient_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    recipient_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    skip_empty: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    instance_key: Mapped[str] = mapped_column(String(64))  # schedules of a copied database stay silent
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ReportDelivery(Base):
    """One letter of one run to one recipient (or why it was skipped); unique, so a run sends once."""

    __tablename__ = "report_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "run_at", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("report_subscription.id", ondelete="CASCADE"))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    skipped: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReportOptOut(Base):
    """A recipient who unsubscribed from a subscription (by the link in the letter)."""

    __tablename__ = "report_opt_out"

    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("report_subscription.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiSettings(Base):
    """The head's bonus formula (a safe expression over the KPI figures); one row."""

    __tablename__ = "kpi_settings"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    formula: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KpiMonth(Base):
    """A closed month: the KPI figures and bonuses frozen when it was closed."""

    __tablename__ = "kpi_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    formula: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)  # user id → figures and bonus as text
