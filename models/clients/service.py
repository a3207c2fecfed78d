"""Creating and changing clients and contacts with validation and access checks in one place.

Pages, the API, the import and the CLI call these functions with an explicit session and
acting user; nothing here commits (the caller owns the transaction) and nothing reads
Flask request state. Validation failures raise ``ClientInvalid`` carrying a Russian
message per field, raised before anything is changed, so a refused card never leaves a
half-written client behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.clients.access import can_assign_owner
from models.clients.cards import CLIENT_STATUSES, Client, Contact
from models.clients.validation import clean_client, clean_contact, parse_tags
from models.identity.users import User
from models.platform.audit import acting_as
from models.platform.permissions import AccessDenied, Permission, can_access, require, require_access


class ClientInvalid(ValueError):
    """Input that breaks the rules; ``fields`` maps a field name to its Russian message."""

    def __init__(self, fields: dict[str, str], message: str = "Проверьте поля карточки") -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


def form_values(client: Client) -> dict[str, Any]:
    """The card as raw input (phones and e-mails one per line), for edit forms and merges."""
    values = {field: getattr(client, field) for field in (
        "kind", "full_name", "short_name", "inn", "kpp", "ogrn", "legal_address",
        "postal_address", "industry", "territory", "segment", "status", "source", "notes",
        "head_name", "head_position")}
    values["phones"] = "\n".join(client.all_phones)
    values["emails"] = "\n".join(client.all_emails)
    values["tags"] = ", ".join(client.tags or [])
    values["owner_id"] = client.owner_id
    return values


def _resolve_owner(session: Session, actor: User, owner_id: Any, default: User | None) -> User | None:
    if owner_id in (None, ""):
        return default
    try:
        owner = session.get(User, int(owner_id))
    except (TypeError, ValueError):
        owner = None
    if owner is None or not owner.is_active:
        raise ClientInvalid({"owner_id": "Ответственный не найден или заблокирован"})
    if not can_assign_owner(actor, owner):
        raise ClientInvalid({"owner_id": "Вы не можете назначить этого ответственного"})
    return owner


def create_client(session: Session, actor: User, raw: Mapping[str, Any],
                  import_batch_id: int | None = None) -> Client:
    """Add a client from a whole card; the owner defaults to the acting user."""
    require(actor, Permission.EDIT_CLIENTS)
    values, errors = clean_client(raw)
    owner = None
    try:
        owner = _resolve_owner(session, actor, raw.get("owner_id"), actor)
    except ClientInvalid as exc:
        errors.update(exc.fields)
    if errors:
        raise ClientInvalid(errors)
    client = Client(**values, owner=owner, import_batch_id=import_batch_id)
    session.add(client)
    return client


def update_client(session: Session, actor: User, client: Client, raw: Mapping[str, Any],
                  *, partial: bool = False) -> dict[str, tuple[Any, Any]]:
    """Change a card; ``partial`` keeps fields missing from ``raw``, an empty owner keeps the owner.

    Returns the changed fields with their old and new values.
    """
    require_access(actor, client, "edit")
    merged = {**form_values(client), **raw} if partial else dict(raw)
    values, errors = clean_client(merged)
    owner = client.owner
    if raw.get("owner_id") not in (None, "") and str(raw["owner_id"]) != str(client.owner_id or ""):
        try:
            owner = _resolve_owner(session, actor, raw.get("owner_id"), None)
        except ClientInvalid as exc:
            errors.update(exc.fields)
    if errors:
        raise ClientInvalid(errors)
    changes = {}
    for field, value in values.items():
        if getattr(client, field) != value:
            changes[field] = (getattr(client, field), value)
            setattr(client, field, value)
    if owner is not client.owner:
        changes["owner_id"] = (client.owner_id, owner.id if owner else None)
        client.owner = owner
    return changes


def _apply_contact(contact: Contact, raw: Mapping[str, Any]) -> None:
    values, errors = clean_contact(raw)
    if errors:
        raise ClientInvalid(errors, "Проверьте поля контакта")
    for field, value in values.items():
        if getattr(contact, field) != value:
            setattr(contact, field, value)


def add_contact(session: Session, actor: User, client: Client, raw: Mapping[str, Any]) -> Contact:
    """Add a contact person to a client the actor may edit."""
    require_access(actor, client, "edit")
    contact = Contact()
    _apply_contact(contact, raw)
    client.contacts.append(contact)
    session.flush()
    return contact


def update_contact(session: Session, actor: User, contact: Contact, raw: Mapping[str, Any]) -> None:
    """Change a contact person of a client the actor may edit."""
    require_access(actor, contact.client, "edit")
    _apply_contact(contact, raw)


def delete_contact(session: Session, actor: User, contact: Contact) -> None:
    """Remove a contact; its history stays on the client's card (``client_history_ref``)."""
    require_access(actor, contact.client, "edit")
    session.delete(contact)


BULK_FIELDS = ("owner_id", "status", "territory", "add_tags", "remove_tags")


def _bulk_changes(session: Session, actor: User, changes: Mapping[str, Any]) -> dict[str, Any]:
    wanted = {k: v for k, v in changes.items() if k in BULK_FIELDS and v not in (None, "", [])}
    if not wanted:
        raise ClientInvalid({"changes": "Выберите, что изменить: ответственного, статус, "
                                        "территорию или теги"})
    errors: dict[str, str] = {}
    if "status" in wanted and wanted["status"] not in CLIENT_STATUSES:
        errors["status"] = "Неизвестный статус клиента"
    if "territory" in wanted:
        wanted["territory"] = " ".join(str(wanted["territory"]).split())[:100]
    if "owner_id" in wanted:
        try:
            wanted["owner"] = _resolve_owner(session, actor, wanted.pop("owner_id"), None)
        except ClientInvalid as exc:
            errors.update(exc.fields)
    for key in ("add_tags", "remove_tags"):
        if key in wanted:
            wanted[key] = parse_tags(wanted[key])
    if errors:
        raise ClientInvalid(errors)
    return wanted


def bulk_update(session: Session, actor: User, client_ids: Iterable[int],
                changes: Mapping[str, Any], reason: str) -> int:
    """Change owner, status, territory or tags of many clients at once, all or none.

    The reason is required and lands in the audit log of every changed record. Every
    client must be editable by the actor, otherwise nothing changes.
    """
    reason = " ".join((reason or "").split())
    if not reason:
        raise ClientInvalid({"reason": "Укажите причину массового изменения"})
    ids = sorted({int(i) for i in client_ids})
    if not ids:
        raise ClientInvalid({"ids": "Не выбрано ни одного клиента"})
    wanted = _bulk_changes(session, actor, changes)
    clients = session.scalars(select(Client).where(Client.id.in_(ids))).all()
    if len(clients) != len(ids):
        raise ClientInvalid({"ids": "Некоторые выбранные клиенты не найдены"})
    denied = [c for c in clients if not can_access(actor, c, "edit")]
    if denied:
        raise AccessDenied(f"Нет прав на изменение {len(denied)} из выбранных клиентов")
    with acting_as(actor.id, reason=reason[:500]):
        for client in clients:
            if "owner" in wanted:
                client.owner = wanted["owner"]
            if "status" in wanted:
                client.status = wanted["status"]
            if "territory" in wanted:
                client.territory = wanted["territory"]
            tags = list(client.tags or [])
            tags += [t for t in wanted.get("add_tags", []) if t not in tags]
            tags = [t for t in tags if t not in wanted.get("remove_tags", [])]
            if tags != (client.tags or []):
                client.tags = tags
        session.flush()
    return len(clients)

