"""Signing in: password logins with their throttle, the session's user, personal API tokens.

What the login page, Flask-Login's loaders and the token page need, with an explicit
session and time, so none of it reads the request. A failed login is recorded in the
session like everything else; the caller keeps it even though it answers 401 (see
``web.auth.views.login``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models.identity.login_throttle import record_failure, record_success, seconds_locked
from models.identity.service import UserError
from models.identity.sessions import (
    open_session,
    revoke_all_sessions,
    revoke_session,
    session_user,
)
from models.identity.users import ApiToken, User, find_user, issue_api_token
from models.platform.errors import NotFound

TOKEN_NAME_LENGTH = 100


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures (per login and per address) before logins slow down, and the first pause."""

    max_failures: int
    lock_seconds: int


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login: the user signed in, or none; ``retry_after`` seconds when locked."""

    user: User | None
    retry_after: int = 0

    @property
    def locked(self) -> bool:
        return self.retry_after > 0


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash made like real ones (Werkzeug's default scrypt), of a password nobody has."""
    return generate_password_hash(secrets.token_urlsafe(16))


def attempt_login(session: Session, login: str, password: str, address: str | None, now: datetime,
                  policy: LoginPolicy) -> LoginAttempt:
    """Check ``login``/``password`` from ``address`` against the throttle and the stored hash.

    While the login or the address is locked nothing is checked (even the right password
    waits). A wrong password, an unknown or a blocked login counts one failure for both
    keys; a success clears them.
    """
    keys = [f"login:{login}", f"ip:{address}"]
    wait = seconds_locked(session, keys, now)
    if wait:
        return LoginAttempt(None, wait)
    user = find_user(session, login)
    # The password hash is always checked — against a dummy hash for unknown logins — so the
    # answer takes as long for «no such login» as for «wrong password» (no login enumeration).
    stored = user.password_hash if user is not None else _dummy_hash()
    matches = check_password_hash(stored, password)
    if user is None or not user.is_active or not matches:
        record_failure(session, keys, now, policy.max_failures, policy.lock_seconds)
        return LoginAttempt(None)
    record_success(session, keys)
    return LoginAttempt(user)


def active_user(session: Session, user_id: int) -> User | None:
    """The user a signed-in session names, while they are still active (a blocked user is signed out)."""
    user = session.get(User, user_id)
    return user if user is not None and user.is_active else None


def api_tokens(session: Session, user: User) -> list[ApiToken]:
    """``user``'s own tokens, newest first, revoked ones included (the page shows prefixes only)."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def create_api_token(session: Session, user: User, name: str) -> str:
    """A new token for ``user`` named ``name`` (required, cut to 100 characters); its text, shown once."""
    name = (name or "").strip()
    if not name:
        raise UserError("Укажите название токена")
    token = issue_api_token(session, user, name[:TOKEN_NAME_LENGTH])
    session.flush()
    return token


def revoke_api_token(session: Session, user: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of ``user``'s tokens; someone else's token is not found, like a missing one."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("Токен не найден")
    token.revoked_at = now
    return token


__all__ = ["open_session", "revoke_all_sessions", "revoke_session", "session_user"]
