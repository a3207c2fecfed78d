"""Reporting periods in the company's zone (Europe/Moscow): a day, a month, a quarter, a week.

Every figure is bucketed by the Moscow calendar date of the moment it happened, so a deal won
at 23:30 on 31 January in Moscow (20:30 UTC) belongs to January and one won at 00:30 on
1 February (21:30 UTC on 31 January) to February. ``Period`` holds inclusive Moscow dates;
``utc_bounds`` turns it into the half-open UTC interval that index range scans on stored
timestamps need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

REPORT_ZONE = ZoneInfo("Europe/Moscow")
NO_DATE = date(1900, 1, 1)  # the key of «no expected close date» in the summaries
PERIOD_KINDS = {"week": "Неделя", "month": "Месяц", "quarter": "Квартал", "year": "Год"}


def local_day(moment: datetime) -> date:
    """The Moscow calendar date of a stored (UTC) moment."""
    return moment.astimezone(REPORT_ZONE).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Inclusive Moscow dates ``start``..``end`` and the kind they were cut by."""

    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%m.%Y")
        if self.kind == "quarter":
            return f"{(self.start.month - 1) // 3 + 1} кв. {self.start.year}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return period_of(self.kind, self.start - timedelta(days=1))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: from Moscow midnight of ``start`` to Moscow midnight after ``end``."""
        begin = datetime.combine(self.start, time(), REPORT_ZONE).astimezone(UTC)
        finish = datetime.combine(self.end + timedelta(days=1), time(), REPORT_ZONE).astimezone(UTC)
        return begin, finish

    def months(self) -> list[date]:
        """First days of the calendar months the period touches."""
        out, current = [], month_start(self.start)
        while current <= self.end:
            out.append(current)
            current = add_months(current, 1)
        return out


def period_of(kind: str, day: date) -> Period:
    """The period of ``kind`` containing the Moscow date ``day``."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, add_months(start, 3) - timedelta(days=1))
    if kind == "year":
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    start = month_start(day)
    return Period("month", start, add_months(start, 1) - timedelta(days=1))


def parse_period(kind: str | None, anchor: str | None, now: datetime) -> Period:
    """The period a filter names (``kind`` and any ISO date inside it); the current month by default.

    Raises ``ValueError`` with a Russian message on a bad date or kind.
    """
    kind = kind or "month"
    if kind not in PERIOD_KINDS:
        raise ValueError(f"Неизвестный период «{kind}»: неделя, месяц, квартал или год")
    day = local_day(now)
    if anchor:
        try:
            day = date.fromisoformat(anchor)
        except ValueError:
            raise ValueError("Дата периода: ГГГГ-ММ-ДД") from None
    return period_of(kind, day)
