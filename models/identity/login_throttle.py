"""Slowing down password guessing: after N failed logins a key is locked for a while.

Keys are the login name and the client address, so both a targeted guess and a sweep
over many logins from one address slow down. Each further failure while over the limit
doubles the pause (capped at 15 minutes). A successful login clears the keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models.identity.users import LoginThrottle

MAX_PAUSE = timedelta(minutes=15)


def seconds_locked(session: Session, keys: list[str], now: datetime) -> int:
    """Seconds until every key is unlocked (0 when login may be tried now)."""
    wait = 0
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            wait = max(wait, int((row.locked_until - now).total_seconds()) + 1)
    return wait


def record_failure(
    session: Session, keys: list[str], now: datetime, max_failures: int, lock_seconds: int
) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            session.add(row)
        row.failures = (row.failures or 0) + 1
        row.last_failure_at = now
        if row.failures >= max_failures:
            pause = timedelta(seconds=lock_seconds * 2 ** (row.failures - max_failures))
            row.locked_until = now + min(pause, MAX_PAUSE)


def record_success(session: Session, keys: list[str]) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None:
            session.delete(row)
