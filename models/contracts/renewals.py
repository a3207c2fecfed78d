"""The renewal of a contract: one row per contract, from «due» to «renewed» or «not renewed».

``contract_renewal.contract_id`` is unique: it is the idempotency key of the whole renewal
machinery. The daily trigger inserts a row for every contract entering its renewal window
(``INSERT … ON CONFLICT DO NOTHING``, so two triggers, a restart or a manual run add nothing
twice); the job ``contracts_renewals`` then claims queued rows one by one and starts
``processes/renewal.bpmn`` for each in the same unit of work that marks the row started,
so a process is started exactly once per contract, whichever scheduler gets there first.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.contracts.contracts import Contract
from models.platform.db import Base, UTCDateTime, utcnow
from models.sales.deals import Deal


class RenewalStatus:
    QUEUED = "queued"  # due, its process not started yet
    STARTED = "started"  # the renewal process runs, the renewal deal is open
    RENEWED = "renewed"
    NOT_RENEWED = "not_renewed"
    OPEN = (QUEUED, STARTED)


RENEWAL_LABELS = {
    RenewalStatus.QUEUED: "В очереди",
    RenewalStatus.STARTED: "Идёт продление",
    RenewalStatus.RENEWED: "Продлено",
    RenewalStatus.NOT_RENEWED: "Не продлено",
}


class ContractRenewal(Base):
    __tablename__ = "contract_renewal"
    __audited__ = True
    __table_args__ = (Index("ix_contract_renewal_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=RenewalStatus.QUEUED)
    due_on: Mapped[date] = mapped_column(Date)  # the day the trigger found it
    window_days: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), index=True
    )
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"), unique=True)
    new_contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id", ondelete="SET NULL"))
    offer: Mapped[dict | None] = mapped_column(JSON)  # the re-priced offer: premium, loss ratio, why
    reason: Mapped[str | None] = mapped_column(Text)  # why not renewed
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    contract: Mapped[Contract] = relationship(foreign_keys=[contract_id])
    deal: Mapped[Deal | None] = relationship()
    new_contract: Mapped[Contract | None] = relationship(foreign_keys=[new_contract_id])

    @property
    def status_label(self) -> str:
        return RENEWAL_LABELS.get(self.status, self.status)


class ContractRisk(Base):
    """A contract's churn risk as last assessed: score, zone, the signals with their reasons.

    ``alerted_zone`` is the zone the senior manager was last pulled in for: a red zone
    creates the task «Подключиться к переговорам» only when it differs, and leaving the
    red zone clears it, so the task comes once per contract per zone change.
    """

    __tablename__ = "contract_risk"
    __table_args__ = (Index("ix_contract_risk_zone", "zone", "contract_id"),)

    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer, default=0)
    zone: Mapped[str] = mapped_column(String(10), default="green")
    signals: Mapped[list[dict]] = mapped_column(JSON, default=list)  # [{code, label, reason, weight}]
    assessed_on: Mapped[date] = mapped_column(Date)
    zone_since: Mapped[datetime] = mapped_column(UTCDateTime)
    alerted_zone: Mapped[str | None] = mapped_column(String(10))
    alert_task_id: Mapped[int | None] = mapped_column(Integer)


class RiskSetting(Base):
    """One configurable threshold or weight of the churn-risk score (defaults in ``risk.DEFAULTS``)."""

    __tablename__ = "contract_risk_setting"
    __audited__ = True

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
