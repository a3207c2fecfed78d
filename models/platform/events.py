"""Domain events: a service says what happened, packages that care react, in the same unit of work.

A service calls ``publish(session, "deal.stage_changed", payload, now)`` after its change;
every handler a package declared with ``Registry.subscribe`` runs at once on the same
session, so whatever it writes is committed or rolled back together with the change
(the studio's triggers record what to start there, and a job starts it after commit).
Handlers must not fail the change they hear about: they record their own failures.

``EVENTS`` is the catalogue the studio offers for triggers, with Russian names and the
payload fields. Who publishes:

- ``deal.stage_changed`` — ``models.sales.deals.move_stage`` (every stage change);
- ``client.created`` — ``models.clients.service.register_client`` / ``create_client``;
- ``lead.created`` — ``models.sales.intake.submit_lead`` (the site form, the API, the leads page);
- ``document.signed`` — the documents package, when a document gets its last signature
  (not built yet: it will call ``publish`` with the fields listed here);
- ``payment.received`` — ``integrations.onec`` when a payment document comes from 1С (the
  contracts package will subscribe to put it onto the contract with that number);
- ``department_request.closed`` — ``models.collaboration.request_operations.close_request`` (the
  asker accepted the answer; the feedback package asks the client for a score);
- ``contract.ending`` — the contracts package's daily job, for contracts ending within
  their renewal window (not built yet, same contract).

``BULK_CREATED`` is technical, not in the catalogue (no trigger starts on it): clients written
around the ORM by ``models.clients.bulk_insert`` (the import), whose flush hooks never see
them; the reports package marks them for the BI feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.platform.registry import installed

BULK_CREATED = "clients.bulk_created"  # payload: {"client_ids": [...]}


@dataclass(frozen=True)
class EventKind:
    """An event the studio can trigger on: its Russian name, payload fields and business object."""

    label: str
    fields: dict[str, str]  # payload field → Russian description
    business_type: str  # the object the event is about (a started process links to it)
    business_field: str  # the payload field holding that object's id


EVENTS: dict[str, EventKind] = {
    "deal.stage_changed": EventKind(
        "Сделка перешла на другой этап",
        {
            "deal_id": "сделка",
            "client_id": "клиент",
            "funnel": "воронка (код)",
            "from_stage": "прежний этап (код)",
            "to_stage": "новый этап (код)",
            "owner_id": "ответственный",
            "premium": "премия, ₽",
            "user_id": "кто перевёл",
        },
        "deal",
        "deal_id",
    ),
    "client.created": EventKind(
        "Создан клиент",
        {
            "client_id": "клиент",
            "kind": "тип клиента (код)",
            "inn": "ИНН",
            "territory": "территория",
            "industry": "отрасль",
            "owner_id": "ответственный",
            "user_id": "кто создал",
        },
        "client",
        "client_id",
    ),
    "lead.created": EventKind(
        "Создан лид",
        {"lead_id": "лид", "source": "источник", "user_id": "кто создал"},
        "lead",
        "lead_id",
    ),
    "document.signed": EventKind(
        "Документ подписан",
        {"document_id": "документ", "kind": "вид документа", "client_id": "клиент", "deal_id": "сделка"},
        "document",
        "document_id",
    ),
    "payment.received": EventKind(
        "Поступила оплата (1С)",
        {
            "payment_id": "платёж",
            "contract_number": "номер договора",
            "client_id": "клиент",
            "amount": "сумма, ₽",
            "paid_on": "дата оплаты",
            "number": "номер документа 1С",
        },
        "client",
        "client_id",
    ),
    "department_request.closed": EventKind(
        "Запрос в отдел закрыт",
        {"request_id": "запрос", "client_id": "клиент", "deal_id": "сделка", "requester_id": "кто спрашивал",
         "kind": "вид запроса (код)", "product": "продукт"},
        "department_request",
        "request_id",
    ),
    "contract.ending": EventKind(
        "Договор скоро заканчивается",
        {
            "contract_id": "договор",
            "client_id": "клиент",
            "ends_on": "дата окончания",
            "days_left": "дней до окончания",
            "owner_id": "ответственный",
        },
        "contract",
        "contract_id",
    ),
}


@dataclass(frozen=True)
class DomainEvent:
    name: str
    payload: dict[str, Any]
    at: datetime


def publish(session: Session, name: str, payload: dict[str, Any], now: datetime) -> DomainEvent:
    """Tell every subscriber of ``name`` (declared in the packages' ``register``) what happened."""
    event = DomainEvent(name, dict(payload), now)
    for handler in installed().subscribers.get(name, ()):
        handler(session, event)
    return event
