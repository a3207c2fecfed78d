"""Discount requests, the steps of their sign-off, and attempts to quote an unapproved discount.

A request asks for a discount off the base premium of one product of a deal. Its life:
``pending`` (on the approver's desk) → ``approved`` | ``rejected`` | ``countered`` (the
approver offers a lower discount; the manager then accepts → ``approved``, or declines →
``declined``); the manager may recall a pending or countered one (``recalled``). Only one
request per deal and product is open at a time: ``open_key`` («deal:product») is set while
the request is open and is unique, so two managers submitting at once cannot both open one.
Every change of an open request is a step of its process instance (a decision, an answer,
the recall's cancel), so the instance's version — the engine's optimistic lock — makes
the second of two concurrent changes a conflict (409) that keeps nothing.
Every step — asked, routed, escalated, decided, answered, recalled — is a
``discount_decision`` row with who, when, the level and the comment: the request's history.

An approved request is the approved discount of its deal and product until ``valid_until``
(``models.discounts.service.approved_discount``). ``discount_violation`` keeps every attempt
to record or send a КП with a discount above the approved one (for the data-quality page).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.registry import LabelIds
from models.sales.deals import Deal

MONEY = Numeric(14, 2)
PERCENT = Numeric(5, 2)


class RequestStatus:
    PENDING = "pending"
    COUNTERED = "countered"
    APPROVED = "approved"
    REJECTED = "rejected"
    DECLINED = "declined"
    RECALLED = "recalled"
    OPEN = (PENDING, COUNTERED)


STATUS_LABELS = {
    RequestStatus.PENDING: "На согласовании",
    RequestStatus.COUNTERED: "Встречное предложение",
    RequestStatus.APPROVED: "Согласована",
    RequestStatus.REJECTED: "Отклонена",
    RequestStatus.DECLINED: "Встречное предложение отклонено",
    RequestStatus.RECALLED: "Отозвана",
}


class Level:
    SENIOR = "senior"
    HEAD = "head"
    UNDERWRITING = "underwriting"
    ORDER = (SENIOR, HEAD, UNDERWRITING)


LEVEL_LABELS = {
    Level.SENIOR: "Старший менеджер",
    Level.HEAD: "Руководитель отдела",
    Level.UNDERWRITING: "Андеррайтинг",
}
LEVEL_NEEDS = {
    Level.SENIOR: "нужен старший менеджер",
    Level.HEAD: "нужен руководитель отдела",
    Level.UNDERWRITING: "нужно решение андеррайтинга",
}

ACTION_LABELS = {
    "requested": "Запрос скидки",
    "routed": "Направлен на согласование",
    "escalated": "Эскалирован",
    "approved": "Согласовано",
    "rejected": "Отклонено",
    "countered": "Встречное предложение",
    "accepted": "Менеджер принял встречное предложение",
    "declined": "Менеджер отказался от встречного предложения",
    "recalled": "Отозван менеджером",
}


class DiscountRequest(Base):
    __tablename__ = "discount_request"
    __audited__ = True
    __table_args__ = (
        Index("ix_discount_request_deal", "deal_id", "product", "id"),
        Index("ix_discount_request_requester", "requester_id", "created_at"),
        Index("ix_discount_request_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"), index=True)
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    product: Mapped[str] = mapped_column(String(40))
    segment: Mapped[str | None] = mapped_column(String(50))
    # The price the discount is taken off: by the tariff table, or calculated by underwriting.
    insured_sum: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    base_rate: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))  # % of the insured sum
    base_premium: Mapped[Decimal] = mapped_column(MONEY)
    base_source: Mapped[str] = mapped_column(String(20))  # tariff | underwriting
    commission_rate: Mapped[Decimal | None] = mapped_column(PERCENT)  # the broker's, % of premium
    discount_pct: Mapped[Decimal] = mapped_column(PERCENT)
    discount_amount: Mapped[Decimal] = mapped_column(MONEY)
    resulting_premium: Mapped[Decimal] = mapped_column(MONEY)
    entered_as: Mapped[str] = mapped_column(String(4), default="pct")  # pct | rub: how the manager typed it
    justification: Mapped[str] = mapped_column(Text)
    competitor: Mapped[dict | None] = mapped_column(JSON)  # who, price, conditions
    loss_ratio: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))  # the client's, this product, 3 years
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.PENDING)
    open_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    level: Mapped[str | None] = mapped_column(String(20))
    rule_id: Mapped[str | None] = mapped_column(String(60))
    route_reason: Mapped[str | None] = mapped_column(Text)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approver_for_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    counter_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    counter_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_until: Mapped[date | None] = mapped_column()
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    deal: Mapped[Deal] = relationship()
    client: Mapped[Client] = relationship()
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    approver_for: Mapped[User | None] = relationship(foreign_keys=[approver_for_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    counter_by: Mapped[User | None] = relationship(foreign_keys=[counter_by_id])
    steps: Mapped[list[DiscountDecision]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="DiscountDecision.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status in RequestStatus.OPEN

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level or "", "—")

    @property
    def route_text(self) -> str:
        """«нужен руководитель отдела: скидка 15 % > 10 % лимита старшего менеджера»."""
        if not self.level:
            return ""
        need = LEVEL_NEEDS.get(self.level, self.level)
        return f"{need}: {self.route_reason}" if self.route_reason else need


class DiscountDecision(Base):
    """One step of a request's sign-off: who did what, at which level, with what comment."""

    __tablename__ = "discount_decision"
    __table_args__ = (Index("ix_discount_decision_request", "request_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("discount_request.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    level: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    discount_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    comment: Mapped[str | None] = mapped_column(Text)
    task_id: Mapped[int | None] = mapped_column(Integer)  # the human task it was decided in
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[DiscountRequest] = relationship(back_populates="steps")
    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level or "", "")


class DiscountViolation(Base):
    """An attempt to record or send a КП with a discount above the approved one (refused)."""

    __tablename__ = "discount_violation"
    __table_args__ = (Index("ix_discount_violation_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"), index=True)
    product: Mapped[str | None] = mapped_column(String(40))
    discount_pct: Mapped[Decimal] = mapped_column(PERCENT)
    approved_pct: Mapped[Decimal | None] = mapped_column(PERCENT)
    source: Mapped[str] = mapped_column(String(20))  # deal_card | api | process | documents
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def request_label_rows(ids: LabelIds) -> Select:
    return (select(DiscountRequest.id, DiscountRequest.discount_pct, DiscountRequest.product, Deal.title)
            .join(Deal, Deal.id == DiscountRequest.deal_id).where(DiscountRequest.id.in_(ids)))


def request_label(request_id: int, pct: str | None, product: str | None, title: str | None) -> str:
    """«Скидка 15 % (КАСКО): <deal>» for lists of business objects (the percentage comes as text)."""
    return f"Скидка {percent(Decimal(pct) if pct is not None else None)} % ({product}): {title}"


def percent(value: Decimal | None) -> str:
    """«15», «12,5» — a percentage the way people write it (no trailing zeros, comma)."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
