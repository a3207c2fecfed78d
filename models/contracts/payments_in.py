"""Payments that arrive from the accounting system (1С) settle a contract's instalments.

``integrations.onec`` keeps each 1С payment document once and publishes ``payment.received``
with the contract number; here the amount settles the contract's unpaid instalments in order
of their due dates, each only when the money covers it whole (a part-payment leaves the
instalment open: it is still due, and an overdue one still counts for churn risk). Money left
over after the last instalment it covers is not spread further. The change is audited like
any other (the audit log records the instalment's ``paid_on``/``paid_amount``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.contracts.contracts import Contract, ContractPayment
from models.platform.events import DomainEvent


def settle_instalments(
    session: Session, contract: Contract, amount: Decimal, paid_on: date
) -> list[ContractPayment]:
    """Mark the earliest unpaid instalments paid while ``amount`` covers each; the ones settled."""
    settled = []
    rest = amount
    open_ones = session.scalars(
        select(ContractPayment)
        .where(ContractPayment.contract_id == contract.id, ContractPayment.paid_on.is_(None))
        .order_by(ContractPayment.due_on, ContractPayment.id)
    )
    for instalment in open_ones:
        if rest < instalment.amount:
            break
        instalment.paid_on, instalment.paid_amount = paid_on, instalment.amount
        rest -= instalment.amount
        settled.append(instalment)
    return settled


def on_payment_received(session: Session, event: DomainEvent) -> None:
    """Settle the instalments of the contract the payment names (nothing when none matches)."""
    number = (event.payload.get("contract_number") or "").strip()
    if not number:
        return
    contract = session.scalar(select(Contract).where(Contract.number == number))
    if contract is None:
        return
    try:
        amount = Decimal(str(event.payload.get("amount")))
        paid_on = date.fromisoformat(str(event.payload.get("paid_on")))
    except (InvalidOperation, ValueError):
        return
    if amount > 0:
        settle_instalments(session, contract, amount, paid_on)
