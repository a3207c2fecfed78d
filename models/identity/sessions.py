"""Server-side sessions of people: a signed cookie alone no longer signs anyone in (issue 14).

The cookie carries a random session id; the server keeps only its SHA-256 hash in
``user_session`` with the user, when it was opened and last seen, and when it was revoked.
Every request checks the row: logging out revokes it, «выйти на всех устройствах» revokes all
of the user's rows, and a password change invalidates them all (the row remembers a stamp of
the password hash it was opened with). Idle and absolute timeouts end a session too. So a
copied cookie stops working at logout, unlike a Flask session that only the client forgets.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ForeignKey, Select, String, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column

from models.identity.users import User
from models.platform.db import Base, UTCDateTime

SEEN_EVERY = timedelta(minutes=1)  # ``last_seen_at`` is written at most this often per session


class UserSession(Base):
    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    password_stamp: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _stamp(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def open_session(session: Session, user: User, now: datetime, *, address: str | None = None,
                 user_agent: str | None = None) -> str:
    """A new session for ``user``; returns the id to put in the cookie (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_hash(token), user_id=user.id, password_stamp=_stamp(user),
                            created_at=now, last_seen_at=now, address=(address or "")[:64] or None,
                            user_agent=(user_agent or "")[:200] or None))
    session.flush()
    return token


@cache
def _session_and_user(extra: Select | None = None) -> Select:
    """A session by its token's hash with its user (and ``extra``'s columns), built once per
    ``extra``: every page asks it, and ``extra`` is itself a statement built once."""
    statement = (select(UserSession, User).join(User, User.id == UserSession.user_id)
                 .where(UserSession.token_hash == bindparam("token_hash"),
                        UserSession.user_id == bindparam("user_id"))
                 .options(joinedload(User.department)))  # the inbox and the home ask whose queue
    return statement if extra is None else statement.add_columns(*extra.selected_columns)


def session_user(session: Session, token: str | None, user_id: int, now: datetime, *,
                 idle: timedelta, absolute: timedelta, extra: Select | None = None,
                 params: Mapping[str, Any] | None = None) -> tuple[User | None, Sequence[Any] | None]:
    """The active user of a live session ``token`` that belongs to ``user_id`` (else None), and the
    values of ``extra``'s columns read in the same statement.

    Every page asks this first, so the session and its user come in one statement. ``extra`` is
    a statement of scalar subqueries on a bound ``user_id`` (and ``params``), such as the
    navigation badges every page shows: riding the session check they cost no round trip of
    their own. Its values come back only with a user (None otherwise).
    """
    if not token:
        return None, None
    bound = {"token_hash": _hash(token), "user_id": user_id, **(params or {})}
    found = session.execute(_session_and_user(extra), bound).first()
    if found is None:
        return None, None
    row, user = found[0], found[1]
    if row.revoked_at is not None or not user.is_active or row.password_stamp != _stamp(user):
        return None, None
    if now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.revoked_at = now
        return None, None
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
    return user, (tuple(found[2:]) if extra is not None else None)


def revoke_session(session: Session, token: str | None, now: datetime) -> None:
    """End one session (logout)."""
    if token:
        session.execute(update(UserSession).where(UserSession.token_hash == _hash(token),
                                                  UserSession.revoked_at.is_(None)).values(revoked_at=now))


def revoke_all_sessions(session: Session, user: User, now: datetime) -> int:
    """End every session of ``user`` («выйти на всех устройствах»); how many were open."""
    result = session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                       UserSession.revoked_at.is_(None))
                             .values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)
