"""Who may see and change a contract: like deals — a manager their own, a senior manager the
department's, the head, analysts, back office and admins all. Declared in ``register``;
``get_contract`` loads one by id with that check (404/403).
"""

from __future__ import annotations

from sqlalchemy import Select, false
from sqlalchemy.orm import Session

from models.contracts.contracts import Contract
from models.identity.users import User, department_member_ids
from models.platform.errors import NotFound
from models.platform.permissions import Permission, has_permission, require_access
from models.platform.registry import Registry
from models.platform.roles import Role

SEE_ALL = frozenset({Role.HEAD, Role.ANALYST, Role.ADMIN, Role.BACK_OFFICE, Role.UNDERWRITER, Role.LAWYER})
EDIT_ALL = frozenset({Role.HEAD, Role.ADMIN, Role.BACK_OFFICE})


def _rule(user: User, contract: Contract, action: str) -> bool:
    role = Role(user.role)
    if (action == "view" and role in SEE_ALL) or role in EDIT_ALL:
        return True
    if action != "view" and not has_permission(user, Permission.EDIT_CLIENTS):
        return False
    if contract.owner_id == user.id:
        return True
    owner = contract.owner
    return (
        role == Role.SENIOR_MANAGER
        and owner is not None
        and user.department_id is not None
        and owner.department_id == user.department_id
    )


def _scope(user: User, stmt: Select) -> Select:
    role = Role(user.role)
    if role in SEE_ALL:
        return stmt
    if role == Role.SENIOR_MANAGER and user.department_id is not None:
        return stmt.where(Contract.owner_id.in_(department_member_ids(user)))
    if role in (Role.MANAGER, Role.SENIOR_MANAGER):
        return stmt.where(Contract.owner_id == user.id)
    return stmt.where(false())


def get_contract(session: Session, user: User, contract_id: int, action: str = "view") -> Contract:
    """The contract ``user`` asked for; ``NotFound`` when missing, ``AccessDenied`` when not allowed."""
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound("Договор не найден")
    require_access(user, contract, action)
    return contract


def register(registry: Registry) -> None:
    registry.record_rule(Contract, _rule)
    registry.scope_rule(Contract, _scope)
