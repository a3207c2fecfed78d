"""Clocks: the real one and a controllable one for tests and simulations.

Timers, reminders, login throttling and "stuck deal" flags all depend on the time;
passing a clock instead of calling ``datetime.now`` lets tests move time forward.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the time (timezone-aware UTC): the system clock, a test's, a simulation's."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; safe to share between threads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 12, 6, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment



_installed: Clock = SystemClock()


def install_clock(clock: Clock) -> None:
    """Make ``clock`` the one record-level rules read (``create_app`` installs the app's clock).

    Rules such as «a deputy acts only while the employee is absent» depend on today's date but
    are called as ``rule(user, record, action)``; like the permission registry, the clock is
    installed once per application.
    """
    global _installed
    _installed = clock


def current_clock() -> Clock:
    """The installed clock (the system clock until an application installs its own)."""
    return _installed
