"""ISO 8601 durations (``PT4H``, ``P1DT30M``) read the way BPMN timers read them.

Operations and domain code that take a duration from a diagram use this, so a duration
means the same in a timer and in a parameter, and nothing outside ``engine/`` needs
SpiffWorkflow's parser.
"""

from __future__ import annotations

from datetime import timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def iso_duration(text: str) -> timedelta:
    """``PT4H`` → 4 hours (quotes around the text, as in timer expressions, are allowed).

    Years and months have no fixed length and are refused; raises ``ValueError``.
    """
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text.strip().strip("'\""))
    except Exception:
        raise ValueError(f"неверная длительность ISO 8601: {text!r}") from None
    if parsed.get("years") or parsed.get("months"):
        raise ValueError(f"длительность в годах или месяцах не допускается: {text!r}")
    return timedelta(days=parsed.get("days", 0) + 7 * parsed.get("weeks", 0), hours=parsed.get("hours", 0),
                     minutes=parsed.get("minutes", 0), seconds=parsed.get("seconds", 0))
