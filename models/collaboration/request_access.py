"""Who may see a department request: the asker, whoever may read its client, the answering role.

A request is read by its asker, by everyone who may read its client (the client's rules:
a senior manager sees the department's, back office and the head see all), by the role that
answers this kind (an underwriter reads every tariff request) and by supervisors. Declared
in ``register``; the thread (comments on the request) is readable by the same people.
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.collaboration.requests import DepartmentRequest
from models.identity.users import User
from models.platform.errors import NotFound
from models.platform.permissions import can_access, require_access, scoped
from models.platform.registry import Registry
from models.platform.roles import Role

SEE_ALL = frozenset({Role.HEAD, Role.ANALYST, Role.ADMIN})


def _rule(user: User, request: DepartmentRequest, action: str) -> bool:
    if action != "view":
        return request.requester_id == user.id
    return (Role(user.role) in SEE_ALL or request.requester_id == user.id or request.role == user.role
            or request.answered_by_id == user.id or can_access(user, request.client, "view"))


def _scope(user: User, stmt: Select) -> Select:
    if Role(user.role) in SEE_ALL:
        return stmt
    clients = scoped(user, Client, select(Client.id))
    return stmt.where(or_(DepartmentRequest.requester_id == user.id, DepartmentRequest.role == user.role,
                          DepartmentRequest.client_id.in_(clients)))


def get_request(session: Session, user: User, request_id: int, action: str = "view") -> DepartmentRequest:
    request = session.get(DepartmentRequest, request_id)
    if request is None:
        raise NotFound("Запрос не найден")
    require_access(user, request, action)
    return request


def register(registry: Registry) -> None:
    registry.record_rule(DepartmentRequest, _rule)
    registry.scope_rule(DepartmentRequest, _scope)
