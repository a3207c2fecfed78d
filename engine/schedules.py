"""When a timer start event fires next: ISO-8601 dates and repeating intervals, and cron.

BPMN's ``timeCycle`` cannot say "every weekday at 09:00" in ISO-8601, so a cycle may also
be a five-field cron expression (``"0 9 * * 1-5"``), read in the company's time zone
(Europe/Moscow unless the expression says ``TZ=…;``). Expressions are sandboxed Python
expressions yielding these strings, as SpiffWorkflow timers are.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.clock_bridge import using_clock
from engine.sandbox import evaluate

DEFAULT_ZONE = "Europe/Moscow"


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _cron_days(field: str) -> str:
    """Cron numbers days from Sunday = 0; APScheduler from Monday = 0. Use names instead."""
    return re.sub(r"\d", lambda m: _DAY_NAMES[int(m.group())], field)


def _cron(text: str, after: datetime) -> datetime | None:
    zone = DEFAULT_ZONE
    if text.upper().startswith("TZ="):
        zone_part, text = text.split(";", 1)
        zone = zone_part[3:].strip()
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"cron-выражение должно иметь 5 полей: «{text}»")
    minute, hour, day, month, dow = fields
    trigger = CronTrigger(minute=minute, hour=hour, day=day, month=month,
                          day_of_week=_cron_days(dow), timezone=zone)
    fire = trigger.get_next_fire_time(None, after + timedelta(seconds=1))
    return fire.astimezone(after.tzinfo) if fire else None


class _At:
    """A clock stopped at one moment."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def _repeating(text: str, after: datetime) -> datetime | None:
    """``Rn/start/duration``: n firings in all (the first at start), ``R/…`` for ever."""
    with using_clock(_At(after)):  # "R/PT1H" (no start) counts from ``after``, not the wall clock
        cycles, start, duration = TimerEventDefinition.parse_iso_recurring_interval(text)
    fire, index = start, 0
    while fire <= after:
        if cycles != -1 and index + 1 >= cycles:
            return None
        fire += duration
        index += 1
    return fire


def next_fire_time(expression: str, after: datetime, kind: str = "CycleTimerEventDefinition"
                   ) -> datetime | None:
    """The first firing strictly after ``after``; ``None`` when the schedule is over."""
    text = str(evaluate(expression, {})).strip()
    if kind == "TimeDateEventDefinition" or (not text.upper().startswith(("R", "P"))
                                             and len(text.split()) == 1):
        moment = TimerEventDefinition.get_datetime(text)
        return moment
    if kind == "DurationTimerEventDefinition":
        parsed = TimerEventDefinition.parse_iso_duration(text)
        return after + TimerEventDefinition.get_timedelta_from_start(parsed, after)
    if text.upper().startswith("R"):
        return _repeating(text, after)
    return _cron(text, after)
