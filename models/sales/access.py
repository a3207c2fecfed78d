"""Who may see and change leads and deals: a manager works own ones, a senior manager the department's.

Declared in ``register`` (``Registry.record_rule`` / ``scope_rule``). ``get_lead`` and
``get_deal`` are how pages, the API and services load a record someone asked for by id:
``NotFound`` when there is none (404), ``AccessDenied`` when the user may not do ``action``
with it (403).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from models.clients.access import SEE_ALL_CLIENTS
from models.identity.users import User, department_member_ids
from models.platform.errors import NotFound
from models.platform.permissions import Permission, has_permission, require_access
from models.platform.registry import Registry
from models.platform.roles import Role
from models.sales.deals import Deal
from models.sales.leads import Lead

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


def _lead_rule(user: User, lead: Lead, action: str) -> bool:
    return _sales_record(user, lead.assigned_to, lead.assigned_to_id, action, SEE_ALL_LEADS)


def _deal_rule(user: User, deal: Deal, action: str) -> bool:
    return _sales_record(user, deal.owner, deal.owner_id, action, SEE_ALL_CLIENTS)


def _sales_scope(column: Any, user: User, stmt: Select, see_all: frozenset[Role]) -> Select:
    role = Role(user.role)
    if role in see_all:
        return stmt
    if role == Role.SENIOR_MANAGER and user.department_id is not None:
        return stmt.where(column.in_(department_member_ids(user)))
    if role in (Role.MANAGER, Role.SENIOR_MANAGER):
        return stmt.where(column == user.id)
    return stmt.where(false())


def _lead_scope(user: User, stmt: Select) -> Select:
    return _sales_scope(Lead.assigned_to_id, user, stmt, SEE_ALL_LEADS)


def _deal_scope(user: User, stmt: Select) -> Select:
    return _sales_scope(Deal.owner_id, user, stmt, SEE_ALL_CLIENTS)


def get_lead(session: Session, user: User, lead_id: int, action: str = "view") -> Lead:
    """The lead ``user`` asked for; ``NotFound`` when missing, ``AccessDenied`` when not allowed."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound("Лид не найден")
    require_access(user, lead, action)
    return lead


def get_deal(session: Session, user: User, deal_id: int, action: str = "view", *,
             options: Sequence[ORMOption] = ()) -> Deal:
    """The deal ``user`` asked for; ``NotFound`` when missing, ``AccessDenied`` when not allowed.

    ``options`` are loader options for a page that walks the deal's relations (the card).
    """
    deal = session.get(Deal, deal_id, options=options)
    if deal is None:
        raise NotFound("Сделка не найдена")
    require_access(user, deal, action)
    return deal


def register(registry: Registry) -> None:
    registry.record_rule(Lead, _lead_rule)
    registry.record_rule(Deal, _deal_rule)
    registry.scope_rule(Lead, _lead_scope)
    registry.scope_rule(Deal, _deal_scope)
