"""What a simulation reports, the way process simulators (BIMP, BPSim) do.

Cycle time (arrival to completion) p50/p90 split into waiting and working time; per task
the waiting (in a queue until someone took it) and working time; utilisation per role
(busy time over the working time of its people); path frequencies; and how often timers
fired and reminders and escalations were sent (counted from the operations the process
called: names with «remind», «overdue», «escalat»).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.analytics import percentile

if TYPE_CHECKING:
    from engine.simulation.scenario import Scenario


@dataclass
class TaskRecord:
    """One user task of one case: queued, taken, finished or cancelled."""

    case: int
    element: str
    name: str
    pool: str
    created: datetime
    due: datetime | None = None
    started: datetime | None = None
    busy_until: datetime | None = None
    finished: datetime | None = None
    released: datetime | None = None
    work_seconds: float = 0.0
    cancelled: bool = False
    task_id: Any = None

    @property
    def waiting_seconds(self) -> float | None:
        end = self.started or self.finished
        return (end - self.created).total_seconds() if end else None

    @property
    def total_seconds(self) -> float | None:
        return (self.finished - self.created).total_seconds() if self.finished else None


@dataclass
class CaseRecord:
    index: int
    arrived: datetime
    completed: datetime | None = None
    path: list[str] = field(default_factory=list)
    incident: str | None = None

    @property
    def cycle_seconds(self) -> float | None:
        return (self.completed - self.arrived).total_seconds() if self.completed else None


@dataclass
class TaskSummary:
    element: str
    name: str
    pool: str
    count: int
    cancelled: int
    waiting_avg: float | None
    waiting_p90: float | None
    working_avg: float | None
    late: int  # finished after the task's due, or cancelled past it


@dataclass
class SimulationResult:
    label: str
    key: str
    started: datetime
    finished: datetime | None = None
    cases: list[CaseRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    timers: Counter[str] = field(default_factory=Counter)
    operations: Counter[str] = field(default_factory=Counter)
    incidents: Counter[str] = field(default_factory=Counter)
    incident_messages: dict[str, str] = field(default_factory=dict)
    busy: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    capacity: dict[str, int] = field(default_factory=dict)
    available: dict[str, float] = field(default_factory=dict)
    wall_seconds: float = 0.0
    names: dict[str, str] = field(default_factory=dict)  # element id → its name in the diagram

    def name(self, element: str) -> str:
        return self.names.get(element) or element

    def close(self, scenario: Scenario, capacity: dict[str, int]) -> None:
        """Working time available to each role over the simulated span (for utilisation)."""
        self.capacity = capacity
        end = self.finished or self.started
        span = (
            scenario.calendar.working_seconds(self.started, end)
            if scenario.calendar
            else (end - self.started).total_seconds()
        )
        self.available = {pool: span * count for pool, count in capacity.items()}

    # --- summaries ---------------------------------------------------------------------------

    @property
    def completed(self) -> list[CaseRecord]:
        return [c for c in self.cases if c.completed is not None]

    def cycle(self, share: float) -> float | None:
        return percentile([c.cycle_seconds for c in self.completed if c.cycle_seconds is not None], share)

    def cycle_split(self) -> tuple[float | None, float | None]:
        """Average waiting and working seconds per completed case (people's steps)."""
        done = {c.index for c in self.completed}
        if not done:
            return None, None
        waiting = sum(t.waiting_seconds or 0 for t in self.tasks if t.case in done)
        working = sum(
            min(t.work_seconds, t.total_seconds or 0)
            for t in self.tasks
            if t.case in done and t.started is not None and not t.cancelled
        )
        return waiting / len(done), working / len(done)

    def task_summaries(self) -> list[TaskSummary]:
        grouped: dict[str, list[TaskRecord]] = defaultdict(list)
        for task in self.tasks:
            grouped[task.element].append(task)
        summaries = []
        for element, tasks in grouped.items():
            waits = [t.waiting_seconds for t in tasks if t.waiting_seconds is not None]
            works = [t.work_seconds for t in tasks if t.started is not None and not t.cancelled]
            late = sum(
                1 for t in tasks if t.due is not None and t.finished is not None and t.finished > t.due
            )
            summaries.append(
                TaskSummary(
                    element,
                    tasks[0].name,
                    tasks[0].pool,
                    len(tasks),
                    sum(t.cancelled for t in tasks),
                    sum(waits) / len(waits) if waits else None,
                    percentile(waits, 0.9),
                    sum(works) / len(works) if works else None,
                    late,
                )
            )
        return sorted(summaries, key=lambda s: s.element)

    def utilisation(self) -> dict[str, float]:
        return {
            pool: (self.busy.get(pool, 0.0) / available if available else 0.0)
            for pool, available in self.available.items()
        }

    def count_calls(self, word: str) -> int:
        return sum(n for name, n in self.operations.items() if word in name)

    @property
    def reminders(self) -> int:
        return self.count_calls("remind")

    @property
    def escalations(self) -> int:
        return self.count_calls("escalat")

    @property
    def overdue_notices(self) -> int:
        return self.count_calls("overdue")

    def paths(self, limit: int = 10) -> list[tuple[list[str], int]]:
        counted = Counter(tuple(_dedupe(c.path)) for c in self.cases)
        return [(list(p), n) for p, n in counted.most_common(limit)]

    def node_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for case in self.cases:
            counts.update(case.path)
        return counts


def _dedupe(path: list[str]) -> list[str]:
    result: list[str] = []
    for element in path:
        if not result or result[-1] != element:
            result.append(element)
    return result
