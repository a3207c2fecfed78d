"""Who may see policies, claims and their imports: whoever may see the client; importing is back office's.

A policy or claim is part of its client's card: the client rules of ``models.clients.access``
decide (a manager sees own clients' history, a senior manager the department's, back office,
head, analyst, underwriters and lawyers every client's). Imports belong to whoever uploaded
them; back office and admin see every import. Declared in ``register``.
"""

from __future__ import annotations

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from models.clients.access import EDIT_ALL_CLIENTS, get_client
from models.clients.cards import Client
from models.identity.users import User
from models.insurance.imports import InsuranceImport
from models.insurance.policies import Claim, Policy
from models.platform.errors import NotFound
from models.platform.permissions import (
    Permission,
    can_access,
    has_permission,
    require,
    require_access,
    scoped,
)
from models.platform.registry import Registry
from models.platform.roles import Role


def _history_rule(user: User, record: Policy | Claim, action: str) -> bool:
    if action == "view":
        return can_access(user, record.client, "view")
    return has_permission(user, Permission.IMPORT_CLIENTS) and Role(user.role) in EDIT_ALL_CLIENTS


def _policy_scope(user: User, stmt: Select) -> Select:
    return stmt.where(Policy.client_id.in_(scoped(user, Client, select(Client.id))))


def _claim_scope(user: User, stmt: Select) -> Select:
    return stmt.where(Claim.client_id.in_(scoped(user, Client, select(Client.id))))


def _import_rule(user: User, batch: InsuranceImport, action: str) -> bool:
    if not has_permission(user, Permission.IMPORT_CLIENTS):
        return False
    return batch.user_id == user.id or Role(user.role) in EDIT_ALL_CLIENTS


def _import_scope(user: User, stmt: Select) -> Select:
    if not has_permission(user, Permission.IMPORT_CLIENTS):
        return stmt.where(false())
    if Role(user.role) in EDIT_ALL_CLIENTS:
        return stmt
    return stmt.where(InsuranceImport.user_id == user.id)


def get_import(session: Session, user: User, batch_id: int) -> InsuranceImport:
    """An import of policies or claims ``user`` may see; ``NotFound`` / ``AccessDenied``."""
    require(user, Permission.IMPORT_CLIENTS)
    batch = session.get(InsuranceImport, batch_id)
    if batch is None:
        raise NotFound("Импорт не найден")
    require_access(user, batch)
    return batch


def visible_client(session: Session, user: User, client_id: int) -> Client:
    """The client whose insurance history ``user`` asked for (the client rules decide)."""
    return get_client(session, user, client_id)


def register(registry: Registry) -> None:
    registry.record_rule(Policy, _history_rule)
    registry.record_rule(Claim, _history_rule)
    registry.scope_rule(Policy, _policy_scope)
    registry.scope_rule(Claim, _claim_scope)
    registry.record_rule(InsuranceImport, _import_rule)
    registry.scope_rule(InsuranceImport, _import_scope)
