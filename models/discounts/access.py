"""Who may see a discount request and act on it; loading one by id with that check.

A request is seen by its requester, by everyone who decided or must decide it (the
approver, the colleague a deputy stands in for, whoever countered or approved it), by the
head, analysts and underwriters (the sign-off reaches them from every manager), and by
whoever may see its deal (a senior manager sees the department's). The requester, or
whoever may edit the deal, may recall it and answer a counter-offer. Deciding is the
approval task's business (the task rules of ``models.tasks.access``). Declared in ``register``.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from models.discounts.requests import DiscountRequest
from models.identity.users import User, department_member_ids
from models.platform.errors import NotFound
from models.platform.permissions import can_access, require_access, scoped
from models.platform.registry import Registry
from models.platform.roles import Role
from models.sales.deals import Deal

SEE_ALL_REQUESTS = frozenset({Role.HEAD, Role.ANALYST, Role.UNDERWRITER, Role.ADMIN})


def _involved(user: User, request: DiscountRequest) -> bool:
    people = (
        request.requester_id,
        request.approver_id,
        request.approver_for_id,
        request.counter_by_id,
        request.approved_by_id,
    )
    return user.id in people or any(step.actor_id == user.id for step in request.steps)


def _request_rule(user: User, request: DiscountRequest, action: str) -> bool:
    if action == "view":
        return (
            Role(user.role) in SEE_ALL_REQUESTS
            or _involved(user, request)
            or can_access(user, request.deal, "view")
        )
    if action in ("recall", "answer"):
        return request.requester_id == user.id or can_access(user, request.deal, "edit")
    return False


def _request_scope(user: User, stmt: Select) -> Select:
    if Role(user.role) in SEE_ALL_REQUESTS:
        return stmt
    deals = scoped(user, Deal, select(Deal.id))
    mine = or_(
        DiscountRequest.requester_id == user.id,
        DiscountRequest.approver_id == user.id,
        DiscountRequest.approver_for_id == user.id,
        DiscountRequest.deal_id.in_(deals),
    )
    if Role(user.role) == Role.SENIOR_MANAGER and user.department_id is not None:
        mine = or_(mine, DiscountRequest.requester_id.in_(department_member_ids(user)))
    return stmt.where(mine)


def get_request(session: Session, user: User, request_id: int, action: str = "view") -> DiscountRequest:
    """The request ``user`` asked for; ``NotFound`` when missing, ``AccessDenied`` when not allowed."""
    request = session.get(DiscountRequest, request_id)
    if request is None:
        raise NotFound("Запрос скидки не найден")
    require_access(user, request, action)
    return request


def register(registry: Registry) -> None:
    registry.record_rule(DiscountRequest, _request_rule)
    registry.scope_rule(DiscountRequest, _request_scope)
