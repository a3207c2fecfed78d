"""What the renewal's tasks refuse before the engine runs (422 on every path that completes them).

- «Подготовить предложение»: a retention discount above the approved one (the discount sign-off
  decides it first, on the deal card);
- «Итог продления»: «Продлено» with a contract number already taken or an end before the start;
  «Не продлено» without a reason (the form's schema says so too).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.contracts.contracts import Contract
from models.contracts.operations import offer_refusal
from models.contracts.renewals import ContractRenewal


def _renewal(session: Session, row: HumanTask) -> ContractRenewal | None:
    return session.scalar(select(ContractRenewal).where(ContractRenewal.instance_id == row.instance_id))


def _offer(session: Session, renewal: ContractRenewal, data: dict, today: date) -> dict[str, list[str]]:
    try:
        pct = Decimal(str(data.get("discount") or "0").replace(",", "."))
    except InvalidOperation:
        return {"discount": ["Процент, например 5 или 7,5"]}
    if renewal.deal is None:
        return {}
    refusal = offer_refusal(session, renewal.deal, pct, today)
    return {"discount": [refusal]} if refusal else {}


def _outcome(session: Session, data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.get("outcome") == "not_renewed" and not str(data.get("loss_reason") or "").strip():
        errors["loss_reason"] = ["Укажите причину, по которой договор не продлён"]
    if data.get("outcome") == "renewed":
        number = str(data.get("contract_number") or "").strip()
        if number and session.scalar(select(Contract.id).where(Contract.number == number)):
            errors["contract_number"] = [f"Договор № {number} уже есть"]
        start, end = str(data.get("contract_start") or ""), str(data.get("contract_end") or "")
        if start and end and end <= start:
            errors["contract_end"] = ["Дата окончания должна быть позже даты начала"]
    return errors


def check_task(session: Session, user: Any, row: HumanTask, data: dict) -> dict[str, list[str]]:
    renewal = _renewal(session, row)
    if renewal is None:
        return {}
    if row.element_id == "prepare_offer":
        # The engine's clock is not at hand here; an approval is valid until a day, so the task's
        # own day is the honest one (the operation checks again on the engine's clock).
        return _offer(session, renewal, data, row.created_at.date())
    if row.element_id == "renewal_outcome":
        return _outcome(session, data)
    return {}
