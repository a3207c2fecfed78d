"""Contracts, their payment schedules and the renewal chain.

A contract is what a won deal (or the broker's imported book of business) leaves behind:
number, product, client, period, premium, insured sum, owner and a payment schedule. Each
contract may point at the contract it renewed (``renewed_from_id``), so a client's history
with a product reads as a chain; the successor of a contract is found through that column.
Payments are due on a date and are paid (``paid_on``) or overdue (unpaid past their due
date, computed against the clock: no job has to flip a status).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, Select, String, literal, select, union_all
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, relationship

from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import Base, UTCDateTime, utcnow
from models.platform.registry import LabelIds

MONEY = Numeric(14, 2)
CENT = Decimal("0.01")


class ContractStatus:
    ACTIVE = "active"  # in force or yet to start
    RENEWED = "renewed"  # ended, a successor continues it
    ENDED = "ended"  # ended without a successor
    CANCELLED = "cancelled"


STATUS_LABELS = {
    ContractStatus.ACTIVE: "Действует",
    ContractStatus.RENEWED: "Продлён",
    ContractStatus.ENDED: "Закончился",
    ContractStatus.CANCELLED: "Расторгнут",
}


class Contract(Base):
    __tablename__ = "contract"
    __audited__ = True
    __table_args__ = (
        Index("ix_contract_due", "status", "ends_on", "product"),
        Index("ix_contract_owner", "owner_id", "ends_on"),
        Index("ix_contract_client", "client_id", "product", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    product: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="RESTRICT"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"), index=True)
    renewed_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("contract.id", ondelete="SET NULL"), unique=True
    )
    insurer: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    premium: Mapped[Decimal] = mapped_column(MONEY)
    insured_sum: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    status: Mapped[str] = mapped_column(String(20), default=ContractStatus.ACTIVE)
    import_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship()
    owner: Mapped[User | None] = relationship()
    renewed_from: Mapped[Contract | None] = relationship(remote_side=[id])
    payments: Mapped[list[ContractPayment]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="ContractPayment.due_on"
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def days_left(self, today: date) -> int:
        return (self.ends_on - today).days


class ContractPayment(Base):
    """One instalment of a contract's premium: due on a date, paid or not."""

    __tablename__ = "contract_payment"
    __table_args__ = (Index("ix_contract_payment_due", "contract_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(MONEY)

    contract: Mapped[Contract] = relationship(back_populates="payments")

    def state(self, today: date) -> str:
        """paid | overdue | due."""
        if self.paid_on is not None:
            return "paid"
        return "overdue" if self.due_on < today else "due"


PAYMENT_LABELS = {"paid": "Оплачен", "overdue": "Просрочен", "due": "Ожидается"}


def schedule(starts_on: date, ends_on: date, premium: Decimal, instalments: int) -> list[ContractPayment]:
    """``instalments`` equal payments spread over the period (the last takes the rounding rest)."""
    instalments = max(1, instalments)
    share = (premium / instalments).quantize(CENT, rounding=ROUND_HALF_UP)
    step = (ends_on - starts_on).days // instalments
    payments = []
    for index in range(instalments):
        amount = share if index < instalments - 1 else premium - share * (instalments - 1)
        payments.append(ContractPayment(due_on=starts_on + timedelta(days=step * index), amount=amount))
    return payments


CHAIN_LIMIT = 50  # links read each way: a chain longer than this is bad data (a cycle), not history


def chain(session: Session, contract: Contract) -> list[Contract]:
    """The renewal chain through ``contract``: its predecessors (oldest first), it, its successors.

    One statement however long the chain: two recursive walks from ``contract`` (back along
    ``renewed_from_id``, forward to the contract that renewed it, which is unique), each bounded
    by ``CHAIN_LIMIT``; a yearly renewal over ten years cost the card twenty statements link by link."""
    back = (select(Contract.id, Contract.renewed_from_id, literal(0).label("pos"))
            .where(Contract.id == contract.id).cte("chain_back", recursive=True))
    older = aliased(Contract)
    back = back.union_all(select(older.id, older.renewed_from_id, back.c.pos - 1)
                          .where(older.id == back.c.renewed_from_id, back.c.pos > -CHAIN_LIMIT))
    ahead = select(Contract.id, literal(0).label("pos")).where(Contract.id == contract.id).cte(
        "chain_ahead", recursive=True)
    newer = aliased(Contract)
    ahead = ahead.union_all(select(newer.id, ahead.c.pos + 1)
                            .where(newer.renewed_from_id == ahead.c.id, ahead.c.pos < CHAIN_LIMIT))
    links = union_all(select(back.c.id, back.c.pos).where(back.c.pos < 0),
                      select(ahead.c.id, ahead.c.pos).where(ahead.c.pos > 0)).subquery()
    rows = session.execute(select(Contract, links.c.pos).join(links, Contract.id == links.c.id)
                           .order_by(links.c.pos)).all()
    return [*(c for c, pos in rows if pos < 0), contract, *(c for c, pos in rows if pos > 0)]


def contract_label_rows(ids: LabelIds) -> Select:
    return select(Contract.id, Contract.number, Contract.product).where(Contract.id.in_(ids))


def contract_label(contract_id: int, number: str | None, product: str | None) -> str:
    return f"Договор № {number} ({product})"
