"""Each process has an owner: the person feedback on its steps goes to.

The owner is set in the studio (analysts, admins). Until someone is set, the one who last
deployed the process answers for it, and if nobody did, the administrators do — feedback
never goes nowhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.tables import ProcessDefinition
from models.identity.users import User
from models.platform.permissions import Permission, require
from models.platform.roles import Role
from models.studio.errors import StudioError
from models.studio.tables import ProcessOwner


def owners(session: Session) -> dict[str, int]:
    """Process key → the owner's user id, for every process with an owner set."""
    rows = session.execute(select(ProcessOwner.process_key, ProcessOwner.user_id))
    return {key: user_id for key, user_id in rows}


def set_owner(session: Session, actor: User, key: str, user_id: int, now: datetime) -> ProcessOwner:
    """Make ``user_id`` the owner of ``key`` (audited)."""
    require(actor, Permission.EDIT_PROCESSES)
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise StudioError("Владельцем может быть только работающий сотрудник")
    if session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == key).limit(1)) is None:
        raise StudioError(f"Процесс «{key}» не развёрнут", status=404)
    row = session.get(ProcessOwner, key)
    if row is None:
        row = ProcessOwner(process_key=key, user_id=user_id, updated_at=now)
        session.add(row)
    else:
        row.user_id = user_id
        row.updated_at = now
    session.flush()
    return row


def answerable(session: Session, key: str) -> list[int]:
    """Who gets feedback on ``key``: its owner, else its last deployer, else every active admin."""
    row = session.get(ProcessOwner, key)
    if row is not None:
        return [row.user_id]
    deployer = session.scalar(
        select(ProcessDefinition.deployed_by_id)
        .where(ProcessDefinition.key == key, ProcessDefinition.deployed_by_id.is_not(None))
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )
    if deployer is not None:
        return [deployer]
    return list(session.scalars(select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))))
