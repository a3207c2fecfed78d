"""The permission layer: what a role may do, and which records a user may see or change.

All authorisation decisions go through this module, so views and the API stay free of
role checks. Role permissions are a table; record-level rules are functions registered
per model class (``record_rule``) with a matching query filter (``scope_rule``) for lists.
Later features register their own rules here instead of checking roles in views.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Select, false, select
from sqlalchemy.orm import object_session

from models.roles import Role
from models.users import User


class Permission(StrEnum):
    USE_CRM = "use_crm"
    VIEW_CLIENTS = "view_clients"
    EDIT_CLIENTS = "edit_clients"
    IMPORT_CLIENTS = "import_clients"
    VIEW_PROCESSES = "view_processes"
    MANAGE_PROCESSES = "manage_processes"
    VIEW_REPORTS = "view_reports"
    DISTRIBUTE_WORK = "distribute_work"
    MANAGE_USERS = "manage_users"


class AccessDenied(Exception):
    """Raised when a user may not do something; the web layer turns it into 403."""

    def __init__(self, message: str = "Недостаточно прав для этого действия") -> None:
        super().__init__(message)
        self.message = message


_EVERYONE = frozenset({Permission.USE_CRM, Permission.VIEW_CLIENTS})
_SALES = _EVERYONE | {Permission.EDIT_CLIENTS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MANAGER: _SALES,
    Role.SENIOR_MANAGER: _SALES | {Permission.DISTRIBUTE_WORK, Permission.VIEW_REPORTS},
    Role.BACK_OFFICE: _SALES | {Permission.IMPORT_CLIENTS},
    Role.LAWYER: _EVERYONE,
    Role.UNDERWRITER: _EVERYONE,
    Role.PRODUCT_SPECIALIST: _EVERYONE | {Permission.VIEW_REPORTS},
    Role.HEAD: _SALES | {Permission.VIEW_REPORTS, Permission.DISTRIBUTE_WORK},
    Role.ANALYST: _EVERYONE | {Permission.VIEW_REPORTS, Permission.VIEW_PROCESSES},
    Role.ADMIN: frozenset(Permission),
}

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


def has_permission(user: User | None, permission: Permission) -> bool:
    if user is None or not user.is_active:
        return False
    try:
        role = Role(user.role)
    except ValueError:
        return False
    return permission in ROLE_PERMISSIONS[role]


def require(user: User | None, permission: Permission) -> None:
    if not has_permission(user, permission):
        raise AccessDenied()


M = TypeVar("M")
RecordRule = Callable[[User, Any, str], bool]
ScopeRule = Callable[[User, Select], Select]

_record_rules: dict[type, RecordRule] = {}
_scope_rules: dict[type, ScopeRule] = {}


def record_rule(model: type) -> Callable[[RecordRule], RecordRule]:
    """Register the function deciding whether a user may ``view``/``edit`` a record."""

    def register(rule: RecordRule) -> RecordRule:
        _record_rules[model] = rule
        return rule

    return register


def scope_rule(model: type) -> Callable[[ScopeRule], ScopeRule]:
    """Register the query filter that limits a list of ``model`` to what a user may see."""

    def register(rule: ScopeRule) -> ScopeRule:
        _scope_rules[model] = rule
        return rule

    return register


def can_access(user: User | None, record: Any, action: str = "view") -> bool:
    """Whether ``user`` may perform ``action`` on ``record``; unknown models are denied."""
    if user is None or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    rule = _record_rules.get(type(record))
    return bool(rule and rule(user, record, action))


def require_access(user: User | None, record: Any, action: str = "view") -> None:
    if not can_access(user, record, action):
        raise AccessDenied()


def scoped(user: User, model: type[M], stmt: Select | None = None) -> Select:
    """``stmt`` (default: all of ``model``) narrowed to the rows ``user`` may see."""
    stmt = stmt if stmt is not None else select(model)
    if user.role == Role.ADMIN:
        return stmt
    rule = _scope_rules.get(model)
    return rule(user, stmt) if rule else stmt.where(false())


# --- clients: a manager sees own clients, a senior manager the department's ----------

from models.clients import Client  # noqa: E402  (after the registry it registers into)


def department_member_ids(user: User) -> Select | list[int]:
    """Ids of the user's department, listed when the user's session can read them.

    A department has tens of people; a literal list lets the query planner see how many
    clients the scope really covers (a subquery made PostgreSQL sort every client of the
    department for a one-page list).
    """
    stmt = select(User.id).where(User.department_id == user.department_id)
    session = object_session(user)
    return list(session.scalars(stmt)) if session is not None else stmt


@record_rule(Client)
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


@scope_rule(Client)
def _client_scope(user: User, stmt: Select) -> Select:
    role = Role(user.role)
    if role in SEE_ALL_CLIENTS:
        return stmt
    if role == Role.SENIOR_MANAGER and user.department_id is not None:
        return stmt.where(Client.owner_id.in_(department_member_ids(user)))
    if role in (Role.MANAGER, Role.SENIOR_MANAGER):
        return stmt.where(Client.owner_id == user.id)
    return stmt.where(false())


def can_assign_owner(user: User, owner: User) -> bool:
    """Whether ``user`` may make ``owner`` responsible for a client.

    A manager keeps clients to themselves; a senior manager hands them out inside the
    department; those who edit every client (back office, admin) and the head assign anyone.
    """
    if not has_permission(user, Permission.EDIT_CLIENTS) or not owner.is_active:
        return False
    role = Role(user.role)
    if role in EDIT_ALL_CLIENTS or role == Role.HEAD:
        return True
    if role == Role.SENIOR_MANAGER and user.department_id is not None:
        return owner.department_id == user.department_id
    return owner.id == user.id


def assignable_owners(user: User, candidates: list[User]) -> list[User]:
    """The employees ``user`` may choose as a client's owner, for select boxes."""
    return [u for u in candidates if can_assign_owner(user, u)]


from models.client_import import ClientImport  # noqa: E402


@record_rule(ClientImport)
def _client_import_rule(user: User, batch: ClientImport, action: str) -> bool:
    """An import belongs to whoever uploaded it; back office sees and reverts every import."""
    if not has_permission(user, Permission.IMPORT_CLIENTS):
        return False
    return batch.user_id == user.id or Role(user.role) in EDIT_ALL_CLIENTS


@scope_rule(ClientImport)
def _client_import_scope(user: User, stmt: Select) -> Select:
    if not has_permission(user, Permission.IMPORT_CLIENTS):
        return stmt.where(false())
    if Role(user.role) in EDIT_ALL_CLIENTS:
        return stmt
    return stmt.where(ClientImport.user_id == user.id)
