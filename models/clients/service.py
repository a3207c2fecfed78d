"""Creating and changing clients and contacts with validation and access checks in one place.

Pages, the API, the import and the CLI call these functions with an explicit session and
acting user; nothing here commits (the caller owns the transaction) and nothing reads
Flask request state. Validation failures raise ``ClientInvalid`` carrying a Russian
message per field, raised before anything is changed, so a refused card never leaves a
half-written client behind; a new card that looks like an existing client raises
``LikelyDuplicates`` unless the user confirmed it.

The functions pages and the API call take ids and load the record with its access check
(``models.clients.access.get_client``): ``NotFound`` → 404, ``AccessDenied`` → 403.

The company registry is an outside system: this package never calls it (``integrations``
may import ``models``, not the reverse). The caller asks the registry first, outside any
write, and hands the answer to ``apply_registry_answer``; any object with the attributes of
``RegistryAnswer`` will do (``integrations.registry.client.CompanyInfo`` is one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.clients.access import can_assign_owner, get_client, get_contact
from models.clients.cards import CLIENT_STATUSES, REGISTRY_STATUS_LABELS, Client, Contact
from models.clients.duplicates import Probe, duplicate_summary, find_duplicates, mark_not_duplicate
from models.clients.validation import clean_client, clean_contact, parse_tags
from models.identity.users import User
from models.platform.audit import acting_as
from models.platform.db import utcnow
from models.platform.events import publish
from models.platform.permissions import AccessDenied, Permission, can_access, require, require_access


class ClientInvalid(ValueError):
    """Input that breaks the rules; ``fields`` maps a field name to its Russian message."""

    def __init__(self, fields: dict[str, str], message: str = "Проверьте поля карточки") -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields


class LikelyDuplicates(Exception):
    """A new card looks like clients already in the base; ``duplicates`` as the user may see them."""

    def __init__(self, duplicates: list[dict[str, Any]],
                 message: str = "Похоже, такой клиент уже есть") -> None:
        super().__init__(message)
        self.message = message
        self.duplicates = duplicates


class RegistryAnswer(Protocol):
    """What a company registry said about a client's INN (the part a card keeps)."""

    @property
    def status(self) -> str | None:
        """The registry state: ACTIVE, LIQUIDATING, LIQUIDATED, BANKRUPT, REORGANIZING."""

    @property
    def head_name(self) -> str | None:
        """The head of the company as the registry knows them."""

    @property
    def head_position(self) -> str | None:
        """The head's position."""


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
    values["birth_date"] = client.birth_date.strftime("%d.%m.%Y") if client.birth_date else ""
    values["passport_masked"] = client.passport_masked or ""  # the passport itself is never shown
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


def _new_client(session: Session, actor: User, raw: Mapping[str, Any],
                import_batch_id: int | None) -> Client:
    """A checked card, not yet in the session (so duplicate lookups cannot find it)."""
    require(actor, Permission.EDIT_CLIENTS)
    values, errors = clean_client(raw)
    owner = None
    try:
        owner = _resolve_owner(session, actor, raw.get("owner_id"), actor)
    except ClientInvalid as exc:
        errors.update(exc.fields)
    if errors:
        raise ClientInvalid(errors)
    return Client(**values, owner=owner, import_batch_id=import_batch_id)


def create_client(session: Session, actor: User, raw: Mapping[str, Any],
                  import_batch_id: int | None = None) -> Client:
    """Add a client from a whole card; the owner defaults to the acting user."""
    client = _new_client(session, actor, raw, import_batch_id)
    session.add(client)
    session.flush()
    _published(session, actor, client)
    return client


def _published(session: Session, actor: User, client: Client) -> None:
    """Tell the packages that listen (the studio's triggers) that a client was created."""
    publish(session, "client.created", {
        "client_id": client.id, "kind": client.kind, "inn": client.inn, "territory": client.territory,
        "industry": client.industry, "owner_id": client.owner_id, "user_id": actor.id}, utcnow())


def _record_registry_status(client: Client, raw: Mapping[str, Any], now: datetime | None) -> None:
    """Keep the registry state a card was filled with («Заполнить по ИНН») and when it was seen."""
    status = raw.get("registry_status")
    if status in REGISTRY_STATUS_LABELS:
        client.registry_status = status
        client.registry_checked_at = now if now is not None else utcnow()


def register_client(session: Session, actor: User, raw: Mapping[str, Any], *,
                    ignore_duplicates: bool = False, now: datetime | None = None) -> Client:
    """Add a client typed by a person: checked, then refused as a likely duplicate unless confirmed.

    Card errors come first (``ClientInvalid``), then likely duplicates (``LikelyDuplicates``);
    neither leaves anything in the session. A ``registry_status`` the card was filled with
    from the registry is kept with ``now`` as the time of the check.
    """
    client = _new_client(session, actor, raw, None)
    if not ignore_duplicates:
        matches = find_duplicates(session, Probe.from_values(raw))
        if matches:
            raise LikelyDuplicates([duplicate_summary(actor, match) for match in matches])
    _record_registry_status(client, raw, now)
    session.add(client)
    session.flush()
    _published(session, actor, client)
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


def change_client(session: Session, actor: User, client_id: int, raw: Mapping[str, Any], *,
                  partial: bool = False, now: datetime | None = None) -> Client:
    """Change the card ``client_id`` (see ``update_client``) and keep a registry state it was filled with."""
    client = get_client(session, actor, client_id, "edit")
    update_client(session, actor, client, raw, partial=partial)
    _record_registry_status(client, raw, now)
    session.flush()
    return client


def apply_registry_answer(session: Session, actor: User, client_id: int, answer: RegistryAnswer,
                          now: datetime) -> Client:
    """Record what the registry said about a saved client: its state, when, and its head if known."""
    client = get_client(session, actor, client_id, "edit")
    client.registry_status = answer.status
    client.registry_checked_at = now
    client.head_name = answer.head_name or client.head_name
    client.head_position = answer.head_position or client.head_position
    session.flush()
    return client


def dismiss_duplicate(session: Session, actor: User, client_id: int, other_id: int) -> None:
    """«Не дубликат»: the actor edits ``client_id`` and sees ``other_id``; the pair is not suggested again."""
    client = get_client(session, actor, client_id, "edit")
    other = get_client(session, actor, other_id)
    if client.id == other.id:
        raise ClientInvalid({"other_id": "Клиент не может быть дубликатом самого себя"})
    mark_not_duplicate(session, actor, client, other)


def _apply_contact(contact: Contact, raw: Mapping[str, Any]) -> None:
    values, errors = clean_contact(raw)
    if errors:
        raise ClientInvalid(errors, "Проверьте поля контакта")
    for field, value in values.items():
        if getattr(contact, field) != value:
            setattr(contact, field, value)


def contact_form_values(contact: Contact) -> dict[str, Any]:
    """A contact as raw input (phones and e-mails one per line), for its edit form."""
    return {"full_name": contact.full_name, "position": contact.position or "",
            "is_decision_maker": contact.is_decision_maker,
            "phones": "\n".join(contact.all_phones), "emails": "\n".join(contact.all_emails),
            "birth_date": contact.birth_date.strftime("%d.%m.%Y") if contact.birth_date else "",
            "passport_masked": contact.passport_masked or "", "address": contact.address or ""}


def add_contact(session: Session, actor: User, client_id: int, raw: Mapping[str, Any]) -> Contact:
    """Add a contact person to a client the actor may edit."""
    client = get_client(session, actor, client_id, "edit")
    contact = Contact()
    _apply_contact(contact, raw)
    client.contacts.append(contact)
    session.flush()
    return contact


def update_contact(session: Session, actor: User, client_id: int, contact_id: int,
                   raw: Mapping[str, Any]) -> Contact:
    """Change a contact person of a client the actor may edit."""
    contact = get_contact(session, actor, client_id, contact_id, "edit")
    _apply_contact(contact, raw)
    return contact


def delete_contact(session: Session, actor: User, client_id: int, contact_id: int) -> None:
    """Remove a contact; its history stays on the client's card (``client_history_ref``)."""
    contact = get_contact(session, actor, client_id, contact_id, "edit")
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

