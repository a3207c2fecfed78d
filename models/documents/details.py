"""A client's details for documents: bank (checked like the clients' requisites) and the signatory."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from models.clients.access import get_client
from models.clients.requisites import bic_error, correspondent_account_error, settlement_account_error
from models.documents.errors import DocumentError
from models.documents.tables import ClientDocumentDetails
from models.identity.users import User

FIELDS = (
    "bank_name",
    "bik",
    "account",
    "corr_account",
    "signatory_name",
    "signatory_position",
    "signatory_basis",
    "edo_box_id",
)
LIMITS = {
    "bank_name": 300,
    "signatory_name": 300,
    "signatory_position": 200,
    "signatory_basis": 200,
    "edo_box_id": 100,
}


def details_of(session: Session, client_id: int) -> ClientDocumentDetails | None:
    return session.get(ClientDocumentDetails, client_id)


def save_details(
    session: Session, user: User, client_id: int, data: Mapping[str, str], now: datetime
) -> ClientDocumentDetails:
    """Store the client's bank details and signatory; every problem named per field, nothing half-written."""
    client = get_client(session, user, client_id, "edit")
    values = {name: (data.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, list[str]] = {}
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = [f"Не длиннее {limit} символов"]
    if values["bik"] and (problem := bic_error(values["bik"])):
        errors["bik"] = [problem]
    if values["account"] and not errors.get("bik"):
        if not values["bik"]:
            errors["bik"] = ["Укажите БИК банка: без него счёт не проверить"]
        elif problem := settlement_account_error(values["account"], values["bik"]):
            errors["account"] = [problem]
    corr = values["corr_account"] and values["bik"] and not errors.get("bik")
    if corr and (problem := correspondent_account_error(values["corr_account"], values["bik"])):
        errors["corr_account"] = [problem]
    if values["signatory_name"] and len(values["signatory_name"].split()) < 2:
        errors["signatory_name"] = ["Фамилия, имя и отчество подписанта полностью"]
    if errors:
        raise DocumentError(errors)
    details = session.get(ClientDocumentDetails, client.id) or ClientDocumentDetails(client_id=client.id)
    for name in FIELDS:
        setattr(details, name, values[name] or None)
    details.updated_at = now
    session.add(details)
    session.flush()
    return details
