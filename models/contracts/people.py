"""Who works a renewal: the client's manager (their deputy when absent) and their senior manager.

The senior manager is the manager's own manager when that is a senior manager, else the first
active senior manager of the department, else the head — the one who is pulled in when a
renewal is late or a key client is in the red zone.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.deputies import effective_assignee
from models.identity.users import User
from models.platform.roles import Role


def on_duty(session: Session, user_id: int | None, day: date) -> int | None:
    """The user to get the work on ``day``: ``user_id`` or, if absent, their deputy."""
    assignee, _meant_for = effective_assignee(session, user_id, day)
    return assignee


def senior_for(session: Session, user: User | None) -> User | None:
    """The senior manager above ``user`` (see the module's docstring); None only without any head."""
    if user is not None:
        manager = user.manager
        if manager is not None and manager.is_active and manager.role == Role.SENIOR_MANAGER:
            return manager
        if user.department_id is not None:
            found = session.scalar(
                select(User)
                .where(
                    User.role == Role.SENIOR_MANAGER.value,
                    User.is_active.is_(True),
                    User.department_id == user.department_id,
                    User.id != user.id,
                )
                .order_by(User.id)
            )
            if found is not None:
                return found
    return session.scalar(
        select(User).where(User.role == Role.HEAD.value, User.is_active.is_(True)).order_by(User.id)
    )
