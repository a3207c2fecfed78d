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


def _department_member_ids(user: User) -> Select:
    return select(User.id).where(User.department_id == user.department_id)


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
        return stmt.where(Client.owner_id.in_(_department_member_ids(user)))
    if role in (Role.MANAGER, Role.SENIOR_MANAGER):
        return stmt.where(Client.owner_id == user.id)
    return stmt.where(false())


# --- tasks: process tasks (human_task) and ad-hoc tasks share one set of rules ------------

from models.processes import HumanTask  # noqa: E402
from models.tasks import Task  # noqa: E402

_SUPERVISORS = frozenset({Role.SENIOR_MANAGER, Role.HEAD})


def _department_code(user: User) -> str | None:
    return user.department.code if user.department is not None else None


def task_queue_department(record: HumanTask | Task) -> str | None:
    return record.candidate_department if isinstance(record, HumanTask) else record.department


def in_task_queue(user: User, record: HumanTask | Task) -> bool:
    """Unassigned and meant for the user's role or department: the user may claim it."""
    if record.assignee_id is not None:
        return False
    if isinstance(record, HumanTask) and record.candidate_role and record.candidate_role == user.role:
        return True
    department = task_queue_department(record)
    return department is not None and department == _department_code(user)


def _stands_in(user: User, record: HumanTask | Task) -> bool:
    """The user is the deputy of the task's assignee (sees and works their tasks)."""
    assignee = record.assignee
    return assignee is not None and assignee.deputy_id == user.id


def _supervises(user: User, record: HumanTask | Task) -> bool:
    role = Role(user.role)
    if role == Role.HEAD:
        return True
    if role != Role.SENIOR_MANAGER:
        return False
    if record.assignee is not None:
        return record.assignee.department_id == user.department_id
    return task_queue_department(record) == _department_code(user)


def _has_queue(record: HumanTask | Task) -> bool:
    if isinstance(record, HumanTask):
        return bool(record.candidate_role or record.candidate_department)
    return bool(record.department)


def _task_rule(user: User, record: HumanTask | Task, action: str) -> bool:
    mine = record.assignee_id == user.id
    created = isinstance(record, Task) and record.creator_id == user.id
    if action == "view":
        return (mine or record.original_assignee_id == user.id or created
                or record.completed_by_id == user.id or in_task_queue(user, record)
                or _stands_in(user, record) or _supervises(user, record))
    if action == "complete":
        return mine or _stands_in(user, record) or in_task_queue(user, record)
    if action == "claim":
        return in_task_queue(user, record)
    if action == "release":
        return mine and _has_queue(record)
    if action in ("reassign", "delegate", "edit"):
        return mine or created or _stands_in(user, record) or _supervises(user, record)
    return False


record_rule(HumanTask)(_task_rule)
record_rule(Task)(_task_rule)


@scope_rule(HumanTask)
def _human_task_scope(user: User, stmt: Select) -> Select:
    from sqlalchemy import or_

    return stmt.where(or_(HumanTask.assignee_id == user.id, HumanTask.original_assignee_id == user.id,
                          HumanTask.candidate_role == user.role,
                          HumanTask.candidate_department == _department_code(user)))


@scope_rule(Task)
def _task_scope(user: User, stmt: Select) -> Select:
    from sqlalchemy import or_

    return stmt.where(or_(Task.assignee_id == user.id, Task.original_assignee_id == user.id,
                          Task.creator_id == user.id, Task.department == _department_code(user)))


# --- leads and deals: a manager works own ones, a senior manager the department's ------

from models.deals import Deal  # noqa: E402
from models.leads import Lead  # noqa: E402

# Leads are sales work only; deals are read by everyone who reads every client (lawyers,
# underwriters and product specialists work on deals of any manager).
SEE_ALL_LEADS = frozenset({Role.HEAD, Role.ANALYST, Role.ADMIN, Role.BACK_OFFICE})
EDIT_ALL_SALES = frozenset({Role.HEAD, Role.ADMIN, Role.BACK_OFFICE})


def _sales_record(user: User, owner: User | None, owner_id: int | None, action: str,
                  see_all: frozenset[Role]) -> bool:
    role = Role(user.role)
    if (action == "view" and role in see_all) or role in EDIT_ALL_SALES:
        return True
    if action != "view" and not has_permission(user, Permission.EDIT_CLIENTS):
        return False
    if owner_id == user.id:
        return True
    return (role == Role.SENIOR_MANAGER and owner is not None and user.department_id is not None
            and owner.department_id == user.department_id)


@record_rule(Lead)
def _lead_rule(user: User, lead: Lead, action: str) -> bool:
    return _sales_record(user, lead.assigned_to, lead.assigned_to_id, action, SEE_ALL_LEADS)


@record_rule(Deal)
def _deal_rule(user: User, deal: Deal, action: str) -> bool:
    return _sales_record(user, deal.owner, deal.owner_id, action, SEE_ALL_CLIENTS)


def _sales_scope(column: Any, user: User, stmt: Select, see_all: frozenset[Role]) -> Select:
    role = Role(user.role)
    if role in see_all:
        return stmt
    if role == Role.SENIOR_MANAGER and user.department_id is not None:
        return stmt.where(column.in_(_department_member_ids(user)))
    if role in (Role.MANAGER, Role.SENIOR_MANAGER):
        return stmt.where(column == user.id)
    return stmt.where(false())


@scope_rule(Lead)
def _lead_scope(user: User, stmt: Select) -> Select:
    return _sales_scope(Lead.assigned_to_id, user, stmt, SEE_ALL_LEADS)


@scope_rule(Deal)
def _deal_scope(user: User, stmt: Select) -> Select:
    return _sales_scope(Deal.owner_id, user, stmt, SEE_ALL_CLIENTS)
