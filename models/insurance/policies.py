"""Policies and claims of a client: the insurance history an approver and a renewal look at.

A policy belongs to a client (by card), has a product line, a number, an insurer, the
insured sum, the premium, its period and status, and optionally the branch or site it
covers and the deal it was won in. A claim (убыток) belongs to a client and usually to a
policy: the date of the event, the product, what was paid and what is still reserved.
Both are loaded by import (``models.insurance.imports``) or by later features (contracts);
numbers are unique, so importing the same file twice updates instead of doubling.

Not audited field by field on purpose: they are historical records loaded in bulk, and
the import batch (who, when, which file) is their audit trail.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.clients.cards import Client
from models.platform.db import Base, UTCDateTime, utcnow

MONEY = Numeric(14, 2)
SUM = Numeric(16, 2)

# The broker's product lines, in the order pages list them.
PRODUCT_LINES = ("КАСКО", "ОСАГО", "ДМС", "НС", "Имущество", "Грузы", "Ответственность")
_PRODUCT_SPELLINGS = {
    "каско": "КАСКО",
    "автокаско": "КАСКО",
    "осаго": "ОСАГО",
    "дмс": "ДМС",
    "добровольное медицинское страхование": "ДМС",
    "нс": "НС",
    "несчастный случай": "НС",
    "страхование от несчастных случаев": "НС",
    "имущество": "Имущество",
    "страхование имущества": "Имущество",
    "грузы": "Грузы",
    "груз": "Грузы",
    "грузоперевозки": "Грузы",
    "страхование грузов": "Грузы",
    "ответственность": "Ответственность",
    "гражданская ответственность": "Ответственность",
    "страхование ответственности": "Ответственность",
}


def product_line(text: str | None) -> str | None:
    """The product line named by ``text`` in any usual spelling («каско», «Страхование грузов»), or None."""
    key = " ".join((text or "").lower().replace("ё", "е").split())
    return _PRODUCT_SPELLINGS.get(key)


class PolicyStatus:
    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


POLICY_STATUS_LABELS = {
    PolicyStatus.ACTIVE: "Действует",
    PolicyStatus.EXPIRED: "Истёк",
    PolicyStatus.CANCELLED: "Расторгнут",
}


class ClaimStatus:
    OPEN = "open"  # reported, reserve set, not settled yet
    SETTLED = "settled"
    DECLINED = "declined"


CLAIM_STATUS_LABELS = {
    ClaimStatus.OPEN: "Урегулируется",
    ClaimStatus.SETTLED: "Урегулирован",
    ClaimStatus.DECLINED: "Отказ",
}


class Policy(Base):
    __tablename__ = "insurance_policy"
    __table_args__ = (
        Index("ix_insurance_policy_client", "client_id", "product", "starts_on"),
        Index("ix_insurance_policy_product", "product", "starts_on"),  # typical premiums, newest first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(60), unique=True)
    product: Mapped[str] = mapped_column(String(40))
    insurer: Mapped[str | None] = mapped_column(String(200))
    insured_sum: Mapped[Decimal | None] = mapped_column(SUM)
    premium: Mapped[Decimal] = mapped_column(MONEY)
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=PolicyStatus.ACTIVE)
    branch: Mapped[str | None] = mapped_column(String(200))  # the branch or site the policy covers
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"))
    import_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()

    def status_on(self, day: date) -> str:
        """Active, expired (its period is over) or cancelled, as of ``day``."""
        if self.status == PolicyStatus.CANCELLED:
            return PolicyStatus.CANCELLED
        return PolicyStatus.EXPIRED if self.ends_on < day else PolicyStatus.ACTIVE

    def in_force_on(self, day: date) -> bool:
        return self.status != PolicyStatus.CANCELLED and self.starts_on <= day <= self.ends_on


class Claim(Base):
    __tablename__ = "insurance_claim"
    __table_args__ = (Index("ix_insurance_claim_client", "client_id", "product", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("insurance_policy.id", ondelete="SET NULL"), index=True
    )
    number: Mapped[str] = mapped_column(String(60), unique=True)
    product: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column()
    paid: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    reserved: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    status: Mapped[str] = mapped_column(String(20), default=ClaimStatus.OPEN)
    description: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()
    policy: Mapped[Policy | None] = relationship()

    @property
    def incurred(self) -> Decimal:
        """Paid plus reserved: what the claim costs the insurer as far as known."""
        return (self.paid or Decimal("0")) + (self.reserved or Decimal("0"))
