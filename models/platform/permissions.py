"""The permission layer: what a role may do, and which records a user may see or change.

All authorisation decisions go through this module, so views and the API stay free of
role checks. Role permissions are a table; record-level rules are functions each domain
package declares per model class in its ``register`` (``Registry.record_rule``), with a
matching query filter (``Registry.scope_rule``) for lists; they live beside the package's
tables (``models/<package>/access.py``). An unknown model is denied.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, false, select

from models.platform.registry import installed
from models.platform.roles import Role


class Actor(Protocol):
    """Who acts: an employee (``models.identity.users.User``) as the rules see them."""

    id: int
    role: str
    is_active: bool
    department_id: int | None


class Permission(StrEnum):
    USE_CRM = "use_crm"
    VIEW_CLIENTS = "view_clients"
    EDIT_CLIENTS = "edit_clients"
    IMPORT_CLIENTS = "import_clients"
    VIEW_PROCESSES = "view_processes"
    MANAGE_PROCESSES = "manage_processes"
    EDIT_PROCESSES = "edit_processes"  # the studio: drafts, forms, triggers, owners
    DEPLOY_PROCESSES = "deploy_processes"  # the studio: deploy a draft as a new version
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
    Role.ANALYST: _EVERYONE | {Permission.VIEW_REPORTS, Permission.VIEW_PROCESSES, Permission.EDIT_PROCESSES,
                               Permission.DEPLOY_PROCESSES},
    Role.ADMIN: frozenset(Permission),
}

def has_permission(user: Actor | None, permission: Permission) -> bool:
    if user is None or not user.is_active:
        return False
    try:
        role = Role(user.role)
    except ValueError:
        return False
    return permission in ROLE_PERMISSIONS[role]


def require(user: Actor | None, permission: Permission) -> None:
    if not has_permission(user, permission):
        raise AccessDenied()


M = TypeVar("M")


def can_access(user: Actor | None, record: Any, action: str = "view") -> bool:
    """Whether ``user`` may perform ``action`` on ``record``; unknown models are denied."""
    if user is None or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    rule = installed().record_rules.get(type(record))
    return bool(rule and rule(user, record, action))


def require_access(user: Actor | None, record: Any, action: str = "view") -> None:
    if not can_access(user, record, action):
        raise AccessDenied()


def scoped(user: Actor, model: type[M], stmt: Select | None = None) -> Select:
    """``stmt`` (default: all of ``model``) narrowed to the rows ``user`` may see."""
    stmt = stmt if stmt is not None else select(model)
    if user.role == Role.ADMIN:
        return stmt
    rule = installed().scope_rules.get(model)
    return rule(user, stmt) if rule else stmt.where(false())
