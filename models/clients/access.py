"""Who may see and change clients and their imports, and loading them by id with that check.

A manager sees and edits own clients, a senior manager the department's; back office,
head and analyst see all (lawyers, underwriters and product specialists read all: their
work comes from every manager); back office and admin edit all. An import belongs to whoever
uploaded it; back office sees and reverts every import. Declared in ``register``.

``get_client``, ``get_contact`` and ``get_import`` are how pages, the API and services load
a record someone asked for by id: ``NotFound`` when there is none (404), ``AccessDenied``
when the user may not do ``action`` with it (403).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import Select, false
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from models.clients.cards import Client, Contact
from models.clients.imports.batches import ClientImport
from models.identity.users import User, department_member_ids
from models.platform.errors import NotFound
from models.platform.permissions import Permission, has_permission, require, require_access
from models.platform.registry import Registry
from models.platform.roles import Role

# Roles that see every client, and those that may also change every client.
# Lawyers, underwriters and product specialists read every client (read-only): their work
# (contracts, risk assessment, products) comes to them for clients of any manager.
SEE_ALL_CLIENTS = frozenset(
    {
        Role.BACK_OFFICE,
        Role.HEAD,
        Role.ANALYST,
        Role.ADMIN,
        Role.LAWYER,
        Role.UNDERWRITER,
        Role.PRODUCT_SPECIALIST,
    }
)
EDIT_ALL_CLIENTS = frozenset({Role.BACK_OFFICE, Role.ADMIN})


def _client_rule(user: User, client: Client, action: str) -> bool:
    role = Role(user.role)
    if action == "view" and role in SEE_ALL_CLIENTS:
        return True
    if action != "view" and role in EDIT_ALL_CLIENTS:
        return True
    if action != "view" and not has_permission(user, Permission.EDIT_CLIENTS):
        return False
    if client.owner_id == user.id:
        return True
    if role in (Role.SENIOR_MANAGER, Role.HEAD) and user.department_id is not None:
        owner = client.owner
        return owner is not None and owner.department_id == user.department_id
    return False


def _client_scope(user: User, stmt: Select) -> Select:
    role = Role(user.role)
    if role in SEE_ALL_CLIENTS:
        return stmt
    if role == Role.SENIOR_MANAGER and user.department_id is not None:
        return stmt.where(Client.owner_id.in_(department_member_ids(user)))
    if role in (Role.MANAGER, Role.SENIOR_MANAGER):
        return stmt.where(Client.owner_id == user.id)
    return stmt.where(false())


class Employee(Protocol):
    """What the owner rule reads of a candidate: a ``User`` or a ``Colleague`` of a select box."""

    @property
    def id(self) -> int: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def department_id(self) -> int | None: ...


E = TypeVar("E", bound=Employee)


def _owner_rule(user: User) -> Callable[[Employee], bool]:
    """Whom ``user`` may make responsible for a client, as a test of the owner.

    A manager keeps clients to themselves; a senior manager hands them out inside the
    department; those who edit every client (back office, admin) and the head assign anyone
    active. ``user``'s side is read once: the list page passes the request's user proxy, whose
    every attribute read is a context lookup, and asking it five times for each of a few hundred
    employees was a sixth of the page's CPU.
    """
    if not has_permission(user, Permission.EDIT_CLIENTS):
        return lambda owner: False
    role, department, own_id = Role(user.role), user.department_id, user.id
    if role in EDIT_ALL_CLIENTS or role == Role.HEAD:
        return lambda owner: owner.is_active
    if role == Role.SENIOR_MANAGER and department is not None:
        return lambda owner: owner.is_active and owner.department_id == department
    return lambda owner: owner.is_active and owner.id == own_id


def can_assign_owner(user: User, owner: Employee) -> bool:
    """Whether ``user`` may make ``owner`` responsible for a client (``_owner_rule``)."""
    return _owner_rule(user)(owner)


def assignable_owners(user: User, candidates: list[E]) -> list[E]:
    """The employees ``user`` may choose as a client's owner, for select boxes."""
    allowed = _owner_rule(user)
    return [u for u in candidates if allowed(u)]


def get_client(session: Session, user: User, client_id: int, action: str = "view", *,
               options: Sequence[ORMOption] = ()) -> Client:
    """The client ``user`` asked for; ``NotFound`` when missing, ``AccessDenied`` when not allowed.
    ``options`` load with it what the caller shows (the card: the owner and the contacts)."""
    client = session.get(Client, client_id, options=options)
    if client is None:
        raise NotFound("Клиент не найден")
    require_access(user, client, action)
    return client


def get_contact(session: Session, user: User, client_id: int, contact_id: int,
                action: str = "edit") -> Contact:
    """A contact person of a client ``user`` may ``action``; a contact of another client is not found."""
    get_client(session, user, client_id, action)
    contact = session.get(Contact, contact_id)
    if contact is None or contact.client_id != client_id:
        raise NotFound("Контакт не найден")
    return contact


def get_import(session: Session, user: User, batch_id: int) -> ClientImport:
    """An import batch ``user`` may see (only those who import clients see imports at all)."""
    require(user, Permission.IMPORT_CLIENTS)
    batch = session.get(ClientImport, batch_id)
    if batch is None:
        raise NotFound("Импорт не найден")
    require_access(user, batch)
    return batch


def _client_import_rule(user: User, batch: ClientImport, action: str) -> bool:
    """An import belongs to whoever uploaded it; back office sees and reverts every import."""
    if not has_permission(user, Permission.IMPORT_CLIENTS):
        return False
    return batch.user_id == user.id or Role(user.role) in EDIT_ALL_CLIENTS


def _client_import_scope(user: User, stmt: Select) -> Select:
    if not has_permission(user, Permission.IMPORT_CLIENTS):
        return stmt.where(false())
    if Role(user.role) in EDIT_ALL_CLIENTS:
        return stmt
    return stmt.where(ClientImport.user_id == user.id)


def register(registry: Registry) -> None:
    registry.record_rule(Client, _client_rule)
    registry.scope_rule(Client, _client_scope)
    registry.record_rule(ClientImport, _client_import_rule)
    registry.scope_rule(ClientImport, _client_import_scope)
