"""A simulation scenario: a JSON document read into typed parts, refused with Russian reasons.

Durations are in minutes. A distribution is a number (fixed), or one of
``{"fixed": m}``, ``{"exponential": mean}``, ``{"normal": [mean, sd]}`` (never below zero),
``{"uniform": [low, high]}``, ``{"triangular": [low, mode, high]}``. A form answer is a value,
or a choice ``{"value": weight, …}`` (a dict whose values are all numbers). Example::

    {"cases": 300, "seed": 7, "start": "2026-01-12T09:00:00+03:00",
     "arrivals": {"every_minutes": 20},            # or {"per_hour": 3} or {"recorded_month": "2026-10"}
     "durations": {"contact": {"normal": [25, 10]}, "*": {"exponential": 15}},
     "durations_from_history": false,              # people's steps as recorded in process_event
     "answers": {"contact": {"outcome": {"qualified": 0.55, "not_relevant": 0.45}}},
     "branches": {"outcome_gateway": {"qualify": 0.55, "reject": 0.45}},
     "capacity": {"manager": 2, "senior_manager": 1},
     "roles": {"contact": "manager"},              # who works a task, when the diagram does not say
     "calendar": {"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "18:00", "zone": "Europe/Moscow"},
     "operations": {"leads.assign": {"manager_id": null, "senior_id": null, "reason": "симуляция"}},
     "data": {"lead_id": "{case}"}, "horizon_days": 60}   # start data; "{case}" is the case's number
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.errors import EngineError

MAX_CASES = 5000
DEFAULT_DURATION_MINUTES = 15.0


class ScenarioError(EngineError):
    """The scenario cannot be run as written (the message names the field)."""


@dataclass(frozen=True)
class Distribution:
    kind: str
    args: tuple[float, ...]

    def minutes(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return self.args[0]
        if self.kind == "exponential":
            return rng.expovariate(1 / self.args[0]) if self.args[0] > 0 else 0.0
        if self.kind == "normal":
            return max(0.0, rng.gauss(self.args[0], self.args[1]))
        if self.kind == "uniform":
            return rng.uniform(self.args[0], self.args[1])
        return rng.triangular(self.args[0], self.args[2], self.args[1])  # triangular(low, high, mode)


_ARITY = {"fixed": 1, "exponential": 1, "normal": 2, "uniform": 2, "triangular": 3}


def distribution(value: Any, where: str) -> Distribution:
    """A distribution from its JSON form (see the module docstring)."""
    if isinstance(value, bool):
        raise ScenarioError(f"{where}: ожидается число минут или распределение")
    if isinstance(value, int | float):
        value = {"fixed": value}
    if not isinstance(value, dict) or len(value) != 1:
        raise ScenarioError(f"{where}: ожидается число минут или одно распределение ({', '.join(_ARITY)})")
    kind, raw = next(iter(value.items()))
    if kind not in _ARITY:
        raise ScenarioError(f"{where}: неизвестное распределение «{kind}» (есть: {', '.join(_ARITY)})")
    args = raw if isinstance(raw, list) else [raw]
    if len(args) != _ARITY[kind] or not all(
        isinstance(a, int | float) and not isinstance(a, bool) for a in args
    ):
        raise ScenarioError(f"{where}: «{kind}» ждёт {_ARITY[kind]} числ(а) минут")
    if any(a < 0 for a in args):
        raise ScenarioError(f"{where}: минуты не могут быть отрицательными")
    return Distribution(kind, tuple(float(a) for a in args))


@dataclass(frozen=True)
class Choice:
    """A weighted choice of values (a form answer or a gateway's branch)."""

    options: tuple[tuple[Any, float], ...]

    def pick(self, rng: random.Random) -> Any:
        values = [o for o, _ in self.options]
        return rng.choices(values, weights=[w for _, w in self.options])[0]


def _choice(value: dict, where: str) -> Choice:
    if not value or any(w < 0 for w in value.values()) or sum(value.values()) <= 0:
        raise ScenarioError(f"{where}: веса вариантов должны быть неотрицательными и не все нулевыми")
    return Choice(tuple(value.items()))


def _is_choice(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(w, int | float) and not isinstance(w, bool) for w in value.values())
    )


@dataclass(frozen=True)
class Calendar:
    """Working time: weekdays (1 = Monday) and hours in a zone; people work only then."""

    days: frozenset[int]
    start: time
    end: time
    zone: ZoneInfo

    def _window(self, moment: datetime) -> tuple[datetime, datetime] | None:
        local = moment.astimezone(self.zone)
        if local.isoweekday() not in self.days:
            return None
        begin = datetime.combine(local.date(), self.start, self.zone)
        finish = datetime.combine(local.date(), self.end, self.zone)
        return begin, finish

    def next_working(self, moment: datetime) -> datetime:
        """``moment`` if it is working time, else the start of the next working period."""
        for offset in range(15):
            day = (moment.astimezone(self.zone) + timedelta(days=offset)).replace(hour=12)
            window = self._window(day)
            if window is None:
                continue
            begin, finish = window
            if offset == 0 and moment >= finish:
                continue
            return max(moment, begin).astimezone(UTC) if offset == 0 else begin.astimezone(UTC)
        raise ScenarioError("calendar: в рабочем календаре нет рабочего времени")

    def add_work(self, moment: datetime, seconds: float) -> datetime:
        """When work of ``seconds`` started at ``moment`` ends, counting only working time."""
        current = self.next_working(moment)
        left = seconds
        while True:
            window = self._window(current)
            assert window is not None
            available = (window[1] - current).total_seconds()
            if left <= available:
                return current + timedelta(seconds=left)
            left -= available
            current = self.next_working(window[1] + timedelta(seconds=1))

    def working_seconds(self, since: datetime, until: datetime) -> float:
        total = 0.0
        day = since.astimezone(self.zone).date()
        while datetime.combine(day, time(0), self.zone) < until:
            window = self._window(datetime.combine(day, time(12), self.zone))
            if window is not None:
                begin, finish = max(window[0], since), min(window[1], until)
                total += max(0.0, (finish - begin).total_seconds())
            day += timedelta(days=1)
        return total


def _calendar(value: Any) -> Calendar | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ScenarioError("calendar: ожидается объект с days, from, to, zone")
    try:
        days = frozenset(int(d) for d in value.get("days", [1, 2, 3, 4, 5]))
        start = time.fromisoformat(value.get("from", "09:00"))
        end = time.fromisoformat(value.get("to", "18:00"))
        zone = ZoneInfo(value.get("zone", "Europe/Moscow"))
    except (TypeError, ValueError, ZoneInfoNotFoundError) as exc:
        raise ScenarioError(f"calendar: {exc}") from None
    if not days or not days <= set(range(1, 8)) or end <= start:
        raise ScenarioError("calendar: дни — числа 1–7, «to» позже «from»")
    return Calendar(days, start, end, zone)


@dataclass(frozen=True)
class Arrivals:
    every_minutes: float | None = None  # mean time between arrivals (exponential)
    recorded_month: str | None = None  # "YYYY-MM": the real starts of that month, replayed


def _arrivals(value: Any) -> Arrivals:
    if not isinstance(value, dict) or len(value) != 1:
        raise ScenarioError("arrivals: укажите every_minutes, per_hour или recorded_month")
    kind, raw = next(iter(value.items()))
    if kind == "recorded_month":
        try:
            datetime.strptime(str(raw), "%Y-%m")
        except ValueError:
            raise ScenarioError("arrivals.recorded_month: ожидается «ГГГГ-ММ»") from None
        return Arrivals(recorded_month=str(raw))
    if kind not in ("every_minutes", "per_hour") or not isinstance(raw, int | float) or raw <= 0:
        raise ScenarioError("arrivals: every_minutes или per_hour — положительное число")
    return Arrivals(every_minutes=float(raw) if kind == "every_minutes" else 60.0 / float(raw))


@dataclass
class Scenario:
    cases: int = 100
    seed: int = 1
    start: datetime = field(default_factory=lambda: datetime(2026, 1, 12, 6, 0, tzinfo=UTC))
    arrivals: Arrivals = field(default_factory=lambda: Arrivals(every_minutes=20.0))
    arrivals_in_working_hours: bool = False
    durations: dict[str, Distribution] = field(default_factory=dict)
    durations_from_history: bool = False
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    branches: dict[str, Choice] = field(default_factory=dict)
    capacity: dict[str, int] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    calendar: Calendar | None = None
    operations: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    horizon_days: int = 60

    def duration(self, element: str) -> Distribution:
        return (
            self.durations.get(element)
            or self.durations.get("*")
            or Distribution("fixed", (DEFAULT_DURATION_MINUTES,))
        )

    def answer(self, element: str, rng: random.Random) -> dict[str, Any]:
        return {
            name: value.pick(rng) if isinstance(value, Choice) else value
            for name, value in self.answers.get(element, {}).items()
        }


_KNOWN = {
    "cases",
    "seed",
    "start",
    "arrivals",
    "arrivals_in_working_hours",
    "durations",
    "durations_from_history",
    "answers",
    "branches",
    "capacity",
    "roles",
    "calendar",
    "operations",
    "data",
    "horizon_days",
    "comment",
}


def _int(raw: dict, name: str, default: int, low: int, high: int) -> int:
    value = raw.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ScenarioError(f"{name}: целое число от {low} до {high}")
    return value


def _dict(raw: dict, name: str) -> dict:
    value = raw.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError(f"{name}: ожидается объект")
    return value


def _start(raw: dict) -> datetime:
    try:
        start = datetime.fromisoformat(str(raw["start"]))
    except ValueError:
        raise ScenarioError("start: дата и время ISO 8601, например 2026-01-12T09:00:00+03:00") from None
    return (start if start.tzinfo else start.replace(tzinfo=UTC)).astimezone(UTC)


def _answers(raw: dict) -> dict[str, dict[str, Any]]:
    answers = {}
    for element, fields in _dict(raw, "answers").items():
        if not isinstance(fields, dict):
            raise ScenarioError(f"answers.{element}: ожидается объект «поле: значение»")
        answers[element] = {name: _choice(v, f"answers.{element}.{name}") if _is_choice(v) else v
                            for name, v in fields.items()}
    return answers


def _people(raw: dict, scenario: Scenario) -> None:
    for gateway, weights in _dict(raw, "branches").items():
        if not _is_choice(weights):
            raise ScenarioError(f"branches.{gateway}: ожидается объект «куда: вес»")
        scenario.branches[gateway] = _choice(weights, f"branches.{gateway}")
    for pool, count in _dict(raw, "capacity").items():
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 1000:
            raise ScenarioError(f"capacity.{pool}: число сотрудников от 1 до 1000")
        scenario.capacity[pool] = count
    scenario.roles = {str(k): str(v) for k, v in _dict(raw, "roles").items()}


def parse_scenario(raw: Any) -> Scenario:
    """The scenario from its JSON object; ``ScenarioError`` names the first field that is wrong."""
    if not isinstance(raw, dict):
        raise ScenarioError("сценарий — это объект JSON")
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise ScenarioError(f"неизвестные поля сценария: {', '.join(unknown)}")
    scenario = Scenario(cases=_int(raw, "cases", 100, 1, MAX_CASES), seed=_int(raw, "seed", 1, 0, 2**31),
                        horizon_days=_int(raw, "horizon_days", 60, 1, 3650))
    if "start" in raw:
        scenario.start = _start(raw)
    if "arrivals" in raw:
        scenario.arrivals = _arrivals(raw["arrivals"])
    scenario.arrivals_in_working_hours = bool(raw.get("arrivals_in_working_hours", False))
    scenario.durations_from_history = bool(raw.get("durations_from_history", False))
    scenario.durations = {element: distribution(value, f"durations.{element}")
                          for element, value in _dict(raw, "durations").items()}
    scenario.answers = _answers(raw)
    _people(raw, scenario)
    scenario.calendar = _calendar(raw.get("calendar"))
    scenario.operations = _dict(raw, "operations")
    scenario.data = _dict(raw, "data")
    return scenario
