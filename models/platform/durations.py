"""Time spans the Russian way, in one place: «2 дн. 4 ч», «3 ч 15 мин», «5 мин».

Pages (the ``duration`` Jinja filter), notifications and the texts of home sections all show a
span through ``duration_text``, so an SLA, a deal stuck on a stage, a cycle length and a step of
a process read alike. Only the two largest units are shown, without decimals: «2 дн. 4 ч», not
«52,3 ч» or «1 day, 4:00:00». Process analytics measure steps that take milliseconds, so
``precise`` shows spans under a minute in seconds or milliseconds instead of «меньше минуты».
"""

from __future__ import annotations

from datetime import timedelta

UNITS = ((86_400, "дн."), (3_600, "ч"), (60, "мин"))


def duration_text(span: timedelta | float | int | None, precise: bool = False) -> str:
    """``span`` (a timedelta or seconds) as «2 дн. 4 ч»; «—» when unknown; a negative span by its size."""
    if span is None:
        return "—"
    seconds = abs(span.total_seconds() if isinstance(span, timedelta) else float(span))
    if seconds < 60:
        if not precise:
            return "меньше минуты"
        return f"{seconds * 1000:.0f} мс" if seconds < 1 else f"{seconds:.0f} с"
    rest = int(seconds) // 60 * 60  # whole minutes: «1 ч 5 мин», never «1 ч 5 мин 30 с»
    parts = []
    for size, unit in UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count} {unit}")
    return " ".join(parts[:2])


def days_text(days: float | None) -> str:
    """A span counted in days (an average cycle, «12.5») as «12 дн. 12 ч»."""
    return duration_text(None if days is None else float(days) * 86_400)
