"""1С exchange tables: counterparty links with the values last agreed, conflicts, invoices, payments.

``onec_counterparty`` links a client to its 1С counterparty (``Ref_Key``) and keeps, per
synchronised field, the value both sides had at the last agreement (``base``): a side whose
value differs from the base has changed it. ``onec_conflict`` is a field both sides changed
differently — reported, never overwritten, until someone picks a side. ``onec_invoice`` is an
invoice asked for from a deal (our ``ref_key`` becomes the 1С document's ``Ref_Key``, so a
retried creation finds the first one). ``onec_payment`` is an incoming payment from 1С, keyed
by its own ``Ref_Key`` and carrying the contract number it was paid against.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.platform.db import Base, UTCDateTime, utcnow

FIELDS = {"short_name": "Description", "full_name": "НаименованиеПолное", "kpp": "КПП"}
FIELD_LABELS = {"short_name": "Краткое наименование", "full_name": "Полное наименование", "kpp": "КПП"}


class OnecCounterparty(Base):
    __tablename__ = "onec_counterparty"

    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"), primary_key=True)
    ref_key: Mapped[str] = mapped_column(String(36), unique=True)
    base: Mapped[dict] = mapped_column(JSON, default=dict)
    data_version: Mapped[str | None] = mapped_column(String(40))
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OnecConflict(Base):
    __tablename__ = "onec_conflict"
    __table_args__ = (Index("ix_onec_conflict_open", "resolved_at", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    base_value: Mapped[str | None] = mapped_column(Text)
    crm_value: Mapped[str | None] = mapped_column(Text)
    onec_value: Mapped[str | None] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(String(10))  # crm | onec
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def field_label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


class OnecInvoice(Base):
    __tablename__ = "onec_invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_key: Mapped[str] = mapped_column(String(36), unique=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    purpose: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued | created | failed
    number: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OnecPayment(Base):
    __tablename__ = "onec_payment"
    __table_args__ = (Index("ix_onec_payment_contract", "contract_number", "paid_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref_key: Mapped[str] = mapped_column(String(36), unique=True)
    number: Mapped[str | None] = mapped_column(String(40))
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    contract_number: Mapped[str | None] = mapped_column(String(100))
    counterparty_ref: Mapped[str | None] = mapped_column(String(36))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id", ondelete="SET NULL"))
    purpose: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
