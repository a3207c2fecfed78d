"""What the web layer calls for 1С: the exchange page, picking a side of a conflict, invoices."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.onec.sync import resolve
from integrations.onec.tables import OnecConflict, OnecInvoice, OnecPayment
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.permissions import Permission, require
from models.sales.access import get_deal


class OneCRequestError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OneCPage:
    conflicts: list[OnecConflict]
    invoices: list[OnecInvoice]
    payments: list[OnecPayment]


def onec_page(session: Session, limit: int = 50) -> OneCPage:
    conflicts = list(
        session.scalars(
            select(OnecConflict).where(OnecConflict.resolved_at.is_(None)).order_by(OnecConflict.id)
        )
    )
    invoices = list(session.scalars(select(OnecInvoice).order_by(OnecInvoice.id.desc()).limit(limit)))
    payments = list(
        session.scalars(
            select(OnecPayment).order_by(OnecPayment.paid_on.desc(), OnecPayment.id.desc()).limit(limit)
        )
    )
    return OneCPage(conflicts, invoices, payments)


def pick_side(session: Session, user: User, conflict_id: int, side: str, now: datetime) -> OnecConflict:
    """An admin decides a conflict: keep the CRM's value or 1С's; the next exchange writes it."""
    require(user, Permission.MANAGE_USERS)
    conflict = session.get(OnecConflict, conflict_id)
    if conflict is None:
        raise NotFound("Расхождение не найдено")
    if conflict.resolved_at is not None:
        raise OneCRequestError("Расхождение уже разобрано")
    if side not in ("crm", "onec"):
        raise OneCRequestError("Выберите: оставить значение CRM или 1С")
    resolve(session, conflict, side, user, now)
    return conflict


def request_invoice(session: Session, user: User, deal_id: int, now: datetime) -> OnecInvoice:
    """«Выставить счёт в 1С» from a deal the user may edit: queued for the exchange job."""
    deal = get_deal(session, user, deal_id, "edit")
    amount = deal.contract_premium or deal.premium
    if not amount or amount <= 0:
        raise OneCRequestError("У сделки нет премии: сумма счёта неизвестна")
    if not deal.client.inn:
        raise OneCRequestError("У клиента нет ИНН: 1С не найдёт контрагента")
    waiting = session.scalar(
        select(OnecInvoice).where(OnecInvoice.deal_id == deal.id, OnecInvoice.status == "queued")
    )
    if waiting is not None:
        raise OneCRequestError("Счёт по сделке уже в очереди на выставление")
    purpose = (
        f"Страховая премия по договору {deal.contract_number}"
        if deal.contract_number
        else f"Страховая премия: {', '.join(deal.product_lines or []) or deal.title}"
    )
    invoice = OnecInvoice(
        ref_key=str(uuid.uuid4()),
        deal_id=deal.id,
        client_id=deal.client_id,
        amount=amount,
        purpose=purpose[:500],
        status="queued",
        requested_by_id=user.id,
        created_at=now,
    )
    session.add(invoice)
    session.flush()
    return invoice


def invoices_of_deal(session: Session, deal_id: int) -> list[OnecInvoice]:
    return list(
        session.scalars(select(OnecInvoice).where(OnecInvoice.deal_id == deal_id).order_by(OnecInvoice.id))
    )
