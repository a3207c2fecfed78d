"""SPARK checks of clients: the indices with their date, the high-risk flag, the refresh job.

``spark_check`` keeps every answer (a history with dates); the latest ``done`` row of a
client is its SPARK state. A check is asked for by a person («Проверить в СПАРК» queues a
``queued`` row) or by age: the ``spark.refresh`` job takes queued rows first, then clients
with an INN whose last check is older than ``REFRESH_AFTER``, in batches of ``BATCH``, one
SPARK session per batch, one unit of work per client — a failure is recorded on its row
and in the integration's log, and the next client goes on.

High risk (``HIGH_RISK``): ИДО ≥ 71 or ИФР ≥ 71 (SPARK's «высокий риск» bands), or ИПД ≤ 40
(payments often late). ``high_risk_clients`` is what the dashboard, renewals and the discount
context read.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from integrations.spark.client import SparkError, SparkReport, spark_from_settings
from integrations.status import record
from models.clients.cards import Client
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.jobs import JobContext, run_unit

REFRESH_AFTER = timedelta(days=30)
BATCH = 50
INTERVAL = 600.0  # seconds between refresh runs of one process


class SparkCheck(Base):
    __tablename__ = "spark_check"
    __table_args__ = (
        Index("ix_spark_check_client", "client_id", "id"),
        Index("ix_spark_check_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    inn: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued | done | failed | unknown
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ido: Mapped[int | None] = mapped_column(Integer)
    ifr: Mapped[int | None] = mapped_column(Integer)
    ipd: Mapped[int | None] = mapped_column(Integer)
    descriptions: Mapped[dict] = mapped_column(JSON, default=dict)
    company_status: Mapped[str | None] = mapped_column(String(100))
    card: Mapped[dict] = mapped_column(JSON, default=dict)
    high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)


def is_high_risk(report: SparkReport) -> bool:
    return bool(
        (report.ido or 0) >= 71 or (report.ifr or 0) >= 71 or (report.ipd is not None and report.ipd <= 40)
    )


def latest(session: Session, client_id: int) -> SparkCheck | None:
    return session.scalar(
        select(SparkCheck)
        .where(SparkCheck.client_id == client_id, SparkCheck.status == "done")
        .order_by(SparkCheck.id.desc())
        .limit(1)
    )


def high_risk_clients(session: Session, client_ids: list[int]) -> set[int]:
    """Which of ``client_ids`` SPARK's latest check flags as high risk."""
    if not client_ids:
        return set()
    last = (
        select(SparkCheck.client_id, func.max(SparkCheck.id).label("id"))
        .where(SparkCheck.client_id.in_(client_ids), SparkCheck.status == "done")
        .group_by(SparkCheck.client_id)
        .subquery()
    )
    rows = session.scalars(
        select(SparkCheck.client_id).join(last, last.c.id == SparkCheck.id).where(SparkCheck.high_risk)
    )
    return set(rows)


def request_check(session: Session, client: Client, user_id: int | None, now: datetime) -> SparkCheck:
    """Queue a check of ``client`` (by its INN) for the next run of the job."""
    if not client.inn:
        raise SparkError("У клиента нет ИНН: СПАРК ищет компании по ИНН", retryable=False)
    waiting = session.scalar(
        select(SparkCheck).where(SparkCheck.client_id == client.id, SparkCheck.status == "queued")
    )
    if waiting is not None:
        return waiting
    row = SparkCheck(
        client_id=client.id,
        inn=client.inn,
        status="queued",
        requested_by_id=user_id,
        created_at=now,
        descriptions={},
        card={},
    )
    session.add(row)
    session.flush()
    return row


def apply_report(row: SparkCheck, report: SparkReport | None, now: datetime) -> None:
    row.fetched_at = now
    if report is None:
        row.status, row.error = "unknown", "СПАРК не знает компанию с таким ИНН"
        return
    row.status, row.error = "done", None
    row.ido, row.ifr, row.ipd = report.ido, report.ifr, report.ipd
    row.descriptions = {"ido": report.ido_text, "ifr": report.ifr_text, "ipd": report.ipd_text}
    row.company_status, row.card = report.status, report.card
    row.high_risk = is_high_risk(report)


def _due(context: JobContext, now: datetime) -> list[tuple[int, int | None]]:
    """(client id, queued check id) to look at in this run: queued ones, then the stalest clients."""
    with context.session_factory() as session:
        queued = [
            (c, i)
            for i, c in session.execute(
                select(SparkCheck.id, SparkCheck.client_id)
                .where(SparkCheck.status == "queued")
                .order_by(SparkCheck.id)
                .limit(BATCH)
            )
        ]
        room = BATCH - len(queued)
        if room <= 0:
            return queued
        checked = (
            select(SparkCheck.client_id, func.max(SparkCheck.fetched_at).label("at"))
            .group_by(SparkCheck.client_id)
            .subquery()
        )
        stale = session.scalars(
            select(Client.id)
            .outerjoin(checked, checked.c.client_id == Client.id)
            .where(Client.inn.is_not(None), (checked.c.at.is_(None)) | (checked.c.at < now - REFRESH_AFTER))
            .order_by(checked.c.at.is_not(None), checked.c.at, Client.id)
            .limit(room)
        ).all()
    seen = {c for c, _ in queued}
    return queued + [(c, None) for c in stale if c not in seen]


def refresh(context: JobContext) -> int:
    """One batch of checks in one SPARK session; returns how many clients got an answer."""
    now = context.clock.now()
    due = _due(context, now)
    if not due:
        return 0
    spark = spark_from_settings(context.settings)
    done = 0
    try:
        for client_id, check_id in due:

            def work(session: Session, client_id: int = client_id, check_id: int | None = check_id) -> bool:
                client = session.get(Client, client_id)
                row = session.get(SparkCheck, check_id) if check_id else None
                if client is None or not client.inn:
                    if row is not None:
                        row.status, row.error = "failed", "У клиента нет ИНН"
                    return False
                if row is None:
                    row = SparkCheck(
                        client_id=client.id, inn=client.inn, created_at=now, descriptions={}, card={}
                    )
                    session.add(row)
                try:
                    apply_report(row, spark.report(client.inn), context.clock.now())
                except SparkError as exc:
                    if exc.retryable:
                        raise
                    row.status, row.error, row.fetched_at = "failed", exc.message, context.clock.now()
                    record(
                        session,
                        "spark",
                        False,
                        f"Проверка ИНН {client.inn}",
                        exc.message,
                        context.clock.now(),
                    )
                    return False
                return True

            try:
                done += bool(run_unit(context.session_factory, work))
            except SparkError as exc:  # SPARK is down or slow: the rest waits for the next run
                message = exc.message
                run_unit(
                    context.session_factory,
                    lambda session, message=message: record(
                        session, "spark", False, "Обновление индексов", message, context.clock.now()
                    ),
                )
                break
    finally:
        spark.close()
    return done


_last_run: dict[str, float] = {}


def refresh_job(context: JobContext) -> int:
    """``spark.refresh``: every ``CRM_SPARK_INTERVAL`` seconds (default 600) when SPARK is configured."""
    if not getattr(context.settings, "spark_url", ""):
        return 0
    interval = float((context.settings.extra or {}).get("CRM_SPARK_INTERVAL", INTERVAL))
    now = time.monotonic()
    if now - _last_run.get("spark", -interval) < interval:
        return 0
    _last_run["spark"] = now
    return refresh(context)


def describe(check: SparkCheck | None) -> dict[str, Any]:
    return (
        {}
        if check is None
        else {"ido": check.ido, "ifr": check.ifr, "ipd": check.ipd, "high_risk": check.high_risk}
    )
