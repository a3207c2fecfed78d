"""Makes SpiffWorkflow's timers read the engine's clock instead of the wall clock.

SpiffWorkflow's timer definitions call ``datetime.now(timezone.utc)`` directly. The engine
swaps that module's ``datetime`` for a subclass whose ``now`` asks the clock bound to the
current step (a context variable), so tests and simulations can move time and several
engines in one process never see each other's clocks.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime as _datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

from models.platform.clock import Clock

_current_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("engine_clock", default=None)


class _ClockedDatetime(_datetime):
    @classmethod
    def now(cls, tz: Any = None) -> _datetime:  # type: ignore[override]
        clock = _current_clock.get()
        if clock is None:
            return _datetime.now(tz)
        moment = clock.now()
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)


_timer_module.datetime = _ClockedDatetime


@contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    """Run SpiffWorkflow code inside the block on ``clock``'s time."""
    token = _current_clock.set(clock)
    try:
        yield
    finally:
        _current_clock.reset(token)
