"""The engine's view of the staff: ``engine.ports.Directory`` implemented on the user table.

The engine sits below this package and may not import it; process tasks still need to
turn an ``assignee`` expression (a user id or login) into a user, send absent people's
work to their deputy, and show who did what. This is the one implementation, declared in
``models.identity.register`` and handed to every engine the app builds.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.identity.deputies import effective_assignee
from models.identity.users import User
from models.platform.ids import parse_int


class UserDirectory:
    """Users by id or login, the deputy rule and display names, read through the given session."""

    def user_id(self, session: Session, ref: int | str) -> int | None:
        """``ref`` is an id (also as digits) or a login in any case; None when nobody has it."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            number = parse_int(ref)
            user = session.get(User, number) if number is not None else None
            return user.id if user is not None else None
        return session.scalar(select(User.id).where(User.login == str(ref).strip().lower()))

    def effective_assignee(self, session: Session, user_id: int, day: date) -> tuple[int | None, int | None]:
        """The deputy rule of ``models.identity.deputies``: who gets the work, and for whom it was meant."""
        return effective_assignee(session, user_id, day)

    def names(self, session: Session, user_ids: Collection[int]) -> dict[int, str]:
        """Full names of the given users, in one query."""
        wanted = {i for i in user_ids if i is not None}
        if not wanted:
            return {}
        rows = session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
        return {user_id: name for user_id, name in rows}
