"""What the admin page of an integration shows: configured or not, the last success, the last errors.

Webhooks, jobs and connection checks write ``integration_log`` rows (``record``); outbox
deliveries keep their own ``last_error`` on the outbox row, so the page reads both: the
log's recent failures and the outbox rows of the integration's kinds that are failing or
failed. Failures are recorded, never raised into the work that noticed them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from integrations.catalog import ConnectionFailed, Integration
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.outbox import OutboxMessage


class IntegrationLog(Base):
    """One thing an integration did or failed to do (a webhook refused, a job run, a check)."""

    __tablename__ = "integration_log"
    __table_args__ = (Index("ix_integration_log_system", "system", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    system: Mapped[str] = mapped_column(String(40))
    ok: Mapped[bool] = mapped_column(Boolean, default=True)
    action: Mapped[str] = mapped_column(String(80))
    message: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def record(
    session: Session, system: str, ok: bool, action: str, message: str, now: datetime
) -> IntegrationLog:
    row = IntegrationLog(system=system, ok=ok, action=action, message=message[:2000], at=now)
    session.add(row)
    return row


@dataclass(frozen=True)
class Status:
    integration: Integration
    configured: bool
    last_ok: IntegrationLog | None
    errors: list[IntegrationLog]
    failing: list[OutboxMessage]
    pending: int


def status(session: Session, integration: Integration, settings: Any, limit: int = 10) -> Status:
    """The admin page's figures for ``integration``."""
    code = integration.code
    last_ok = session.scalar(
        select(IntegrationLog)
        .where(IntegrationLog.system == code, IntegrationLog.ok)
        .order_by(IntegrationLog.id.desc())
        .limit(1)
    )
    errors = list(
        session.scalars(
            select(IntegrationLog)
            .where(IntegrationLog.system == code, IntegrationLog.ok.is_(False))
            .order_by(IntegrationLog.id.desc())
            .limit(limit)
        )
    )
    failing: list[OutboxMessage] = []
    pending = 0
    if integration.outbox_kinds:
        kinds = OutboxMessage.kind.in_(integration.outbox_kinds)
        failing = list(
            session.scalars(
                select(OutboxMessage)
                .where(kinds, OutboxMessage.last_error.is_not(None))
                .order_by(OutboxMessage.id.desc())
                .limit(limit)
            )
        )
        pending = len(
            session.scalars(
                select(OutboxMessage.id).where(kinds, OutboxMessage.status.in_(("pending", "sending")))
            ).all()
        )
    return Status(integration, integration.configured(settings), last_ok, errors, failing, pending)


def check_connection(
    session: Session, integration: Integration, settings: Any, now: datetime
) -> IntegrationLog:
    """«Проверить соединение»: ask the system once (with its client's timeout) and log the answer.

    An admin's explicit action that changes no data of ours except the log; a failure is an
    answer on the page, never an error of the request.
    """
    if not integration.configured(settings):
        return record(
            session,
            integration.code,
            False,
            "Проверка соединения",
            "Не настроено: задайте " + ", ".join(integration.settings),
            now,
        )
    try:
        answer = integration.check(settings)
    except ConnectionFailed as exc:
        return record(session, integration.code, False, "Проверка соединения", str(exc), now)
    except Exception as exc:
        return record(
            session, integration.code, False, "Проверка соединения", f"{type(exc).__name__}: {exc}", now
        )
    return record(session, integration.code, True, "Проверка соединения", answer, now)
