"""The simulation loop: the real engine's steps on in-memory instances, a virtual clock, people as queues.

Each case is a SpiffWorkflow instance of the chosen spec run by ``SimulatedRuntime`` — the
engine's own ``Runtime.advance`` (engine steps, BPMN errors, event subprocesses, the
sandboxed script engine, timers read from the clock) — but nothing is loaded from or
written to the database: instances live in memory, events are counted instead of stored,
and every service-task operation is replaced by its simulation (what its package declared
with ``Registry.simulation``, or what the scenario says, else an empty result), so there
are no outside effects. Time is a ``ManualClock`` moved from event to event:

- arrivals start cases; a ready user task joins the queue of its role (or department,
  lane, or the scenario's ``roles``); a free person takes the oldest most urgent task,
  works for a sampled duration counted in working time, and completes it with the
  scenario's answers;
- timers fire one second after they are due (SpiffWorkflow fires only strictly after);
  a task cancelled by an interrupting timer frees whoever was working on it.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time as _time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.util.task import TaskState

from engine import human_tasks
from engine.clock_bridge import using_clock
from engine.operations import OperationContext
from engine.ports import EngineServices
from engine.runtime import Runtime
from engine.script_engine import CrmScriptEngine
from engine.simulation.results import CaseRecord, SimulationResult, TaskRecord
from engine.simulation.scenario import Scenario
from engine.tables import ProcessInstance
from engine.task_walk import CrmWorkflow
from models.platform.clock import ManualClock

TIMER_GRACE = timedelta(seconds=1)
PASSED = ("task_completed", "user_task_completed", "timer_fired", "event_caught", "error_thrown")


class SimulatedScriptEngine(CrmScriptEngine):
    """The CRM script engine that also decides exclusive gateways by the scenario's weights."""

    def __init__(
        self,
        context: OperationContext,
        ops: Mapping[str, Callable[..., Any]],
        scenario: Scenario,
        rng: random.Random,
    ) -> None:
        super().__init__(context, ops)
        self.scenario = scenario
        self.rng = rng
        self.chosen: dict[Any, str] = {}

    def evaluate(self, task: Any, expression: str, external_context: dict | None = None) -> Any:
        spec = task.task_spec
        choice = self.scenario.branches.get(getattr(spec, "bpmn_id", None) or "")
        conditions = getattr(spec, "cond_task_specs", None)
        if choice is None or not conditions:
            return super().evaluate(task, expression, external_context)
        if task.id not in self.chosen:
            self.chosen[task.id] = str(choice.pick(self.rng))
        target = self.chosen[task.id]
        for condition, name in conditions:
            if condition is not None and condition.args[0] == expression:
                return name == target or _flow_of(spec, name) == target
        return False


def _flow_of(spec: Any, target: str) -> str | None:
    """The id of the sequence flow from gateway ``spec`` to ``target`` (scenarios may name either)."""
    flows = getattr(spec, "outgoing_sequence_flows", None) or {}
    for flow_id, flow in flows.items() if isinstance(flows, dict) else []:
        if getattr(flow, "target_task_spec", None) == target:
            return flow_id
    return None


@dataclass
class Case:
    index: int
    instance: ProcessInstance
    workflow: BpmnWorkflow
    record: CaseRecord
    timer_at: datetime | None = None
    tasks: dict[Any, TaskRecord] = field(default_factory=dict)  # open user tasks by SpiffWorkflow task id


class SimulatedRuntime(Runtime):
    """``Runtime`` whose events, incidents and thrown messages stay in memory."""

    def __init__(
        self, services: EngineServices, result: SimulationResult, scenario: Scenario, rng: random.Random
    ) -> None:
        super().__init__(None, services)  # type: ignore[arg-type]  # no session: nothing is stored
        self.result = result
        self.scenario = scenario
        self.rng = rng
        self.cases: dict[int, Case] = {}

    def _script_engine(self, instance: ProcessInstance | None) -> CrmScriptEngine:
        context = OperationContext(
            session=None,  # type: ignore[arg-type]  # simulated operations get no database
            clock=self.clock,
            settings=self.settings,
            instance_id=instance.id if instance else None,
        )
        return SimulatedScriptEngine(context, self.operations, self.scenario, self.rng)

    def event(
        self,
        instance: ProcessInstance,
        kind: str,
        user_id: int | None,
        *,
        element: Any = None,
        duration_ms: float | None = None,
        detail: dict | None = None,
    ) -> None:
        element_id = getattr(element, "bpmn_id", None)
        if not element_id or kind not in PASSED:
            return
        record = self.cases[instance.id].record
        record.path.append(element_id)
        if kind == "timer_fired":
            self.result.timers[element_id] += 1

    def incident(self, instance: ProcessInstance, exc: WorkflowTaskException, user_id: int | None) -> None:
        spec = exc.task.task_spec if exc.task is not None else None
        element = getattr(spec, "bpmn_id", None) or "?"
        message = str(exc).split("\n")[0]
        self.result.incidents[element] += 1
        self.result.incident_messages.setdefault(element, message)
        self.cases[instance.id].record.incident = message


class Simulation:
    """One run of a scenario on one spec; ``run()`` returns the result."""

    def __init__(
        self,
        spec: Any,
        subprocess_specs: dict,
        scenario: Scenario,
        services: EngineServices,
        *,
        label: str,
        key: str,
        history: dict[str, list[float]] | None = None,
        arrivals: list[datetime] | None = None,
    ) -> None:
        self.spec = spec
        self.subprocess_specs = subprocess_specs
        self.scenario = scenario
        self.rng = random.Random(scenario.seed)
        self.clock = ManualClock(scenario.start)
        self.result = SimulationResult(label=label, key=key, started=scenario.start)
        for one in (spec, *subprocess_specs.values()):
            for task_spec in (one.task_specs.values() if one is not None else ()):
                if getattr(task_spec, "bpmn_id", None):
                    self.result.names[task_spec.bpmn_id] = task_spec.bpmn_name or task_spec.bpmn_id
        ops = _simulated_operations(services, scenario, self.result)
        sim_services = EngineServices(
            clock=self.clock,
            settings=services.settings,
            directory=services.directory,
            operations=ops,
            simulations=services.simulations,
        )
        self.runtime = SimulatedRuntime(sim_services, self.result, scenario, self.rng)
        self.history = history or {}
        self.arrival_times = arrivals
        self.events: list[tuple[datetime, int, str, Any]] = []
        self.counter = itertools.count()
        self.queues: dict[str, list[tuple[int, datetime, int, TaskRecord]]] = {}
        self.free: dict[str, int] = {}

    # --- the event queue ---------------------------------------------------------------

    def _push(self, at: datetime, kind: str, payload: Any) -> None:
        heapq.heappush(self.events, (at, next(self.counter), kind, payload))

    def _arrivals(self) -> list[datetime]:
        if self.arrival_times is not None:
            return self.arrival_times[: self.scenario.cases]
        moments, now = [], self.scenario.start
        mean = self.scenario.arrivals.every_minutes or 20.0
        for _ in range(self.scenario.cases):
            moments.append(now)
            now += timedelta(minutes=self.rng.expovariate(1 / mean))
        return moments

    def run(self) -> SimulationResult:
        began = _time.perf_counter()
        calendar = self.scenario.calendar
        for index, moment in enumerate(self._arrivals()):
            if calendar is not None and self.scenario.arrivals_in_working_hours:
                moment = calendar.next_working(moment)
            self._push(moment, "arrive", index)
        horizon = self.scenario.start + timedelta(days=self.scenario.horizon_days)
        while self.events:
            at, _seq, kind, payload = heapq.heappop(self.events)
            if at > horizon:
                break
            self.clock.set(at)
            self.result.finished = at
            if kind == "arrive":
                self._arrive(payload)
            elif kind == "done":
                self._done(payload)
            else:
                self._timer(payload)
        self.result.wall_seconds = _time.perf_counter() - began
        self.result.close(self.scenario, self.free_capacity())
        return self.result

    def free_capacity(self) -> dict[str, int]:
        return {pool: self.capacity(pool) for pool in (*self.scenario.capacity, *self.queues)}

    def capacity(self, pool: str) -> int:
        return self.scenario.capacity.get(pool, 1)

    # --- cases ---------------------------------------------------------------------------

    def _arrive(self, index: int) -> None:
        now = self.clock.now()
        instance = ProcessInstance(
            id=index + 1,
            process_key=self.result.key,
            title=f"Случай {index + 1}",
            correlation={},
            status="running",
        )
        workflow = CrmWorkflow(  # the engine's own walks, as a real instance runs
            self.spec, self.subprocess_specs, script_engine=self.runtime._script_engine(instance)
        )
        data = {key: index + 1 if value == "{case}" else value for key, value in self.scenario.data.items()}
        data.update({"instance_id": instance.id, "case": index + 1, "simulation": True})
        workflow.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**data)
        record = CaseRecord(index=index, arrived=now)
        self.result.cases.append(record)
        case = Case(index, instance, workflow, record)
        self.runtime.cases[instance.id] = case
        self._step(case, lambda: None)

    def _step(self, case: Case, action: Callable[[], None]) -> None:
        with using_clock(self.clock):
            try:
                action()
            except WorkflowTaskException as exc:
                self.runtime.incident(case.instance, exc, None)
        self.runtime.advance(case.instance, case.workflow, None)
        self.runtime.thrown.clear()  # messages to other instances are not simulated
        self._after(case)

    def _after(self, case: Case) -> None:
        now = self.clock.now()
        workflow = case.workflow
        ready = {t.id: t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
        for task_id, record in list(case.tasks.items()):
            if task_id not in ready:  # cancelled by a boundary event while waiting or in work
                record.cancelled = True
                record.finished = now
                del case.tasks[task_id]
                self._release(record)
        for task_id, task in ready.items():
            if task_id not in case.tasks:
                self._enqueue(case, task)
        if workflow.is_completed():
            case.record.completed = now
            return
        if workflow.get_tasks(state=TaskState.ERROR):
            return
        from engine.waits import next_timer

        due = next_timer(workflow)
        if due is not None and due != case.timer_at:
            case.timer_at = due
            self._push(max(due + TIMER_GRACE, now), "timer", case)

    def _timer(self, case: Case) -> None:
        if case.record.completed is not None or case.timer_at is None:
            return
        if case.timer_at + TIMER_GRACE > self.clock.now():
            return  # rescheduled meanwhile
        case.timer_at = None
        self._step(case, case.workflow.refresh_timers)

    # --- people ----------------------------------------------------------------------------

    def _pool(self, task: Any) -> str:
        element = task.task_spec.bpmn_id
        if element in self.scenario.roles:
            return self.scenario.roles[element]
        role, department = human_tasks.candidates(task.task_spec)
        return role or department or f"task:{element}"

    def _enqueue(self, case: Case, task: Any) -> None:
        now = self.clock.now()
        spec = task.task_spec
        pool = self._pool(task)
        try:
            due = human_tasks.due_date(spec, task.data, now)
        except Exception:  # a due expression that fails here fails in production too; the task still runs
            due = None
        record = TaskRecord(
            case=case.index,
            element=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            pool=pool,
            created=now,
            due=due,
        )
        record.task_id = task.id
        case.tasks[task.id] = record
        self.result.tasks.append(record)
        self.free.setdefault(pool, self.capacity(pool))
        priority = human_tasks._priority(spec)
        heapq.heappush(self.queues.setdefault(pool, []), (priority, now, next(self.counter), record))
        self._dispatch(pool)

    def _dispatch(self, pool: str) -> None:
        queue = self.queues.get(pool, [])
        while queue and self.free.get(pool, 0) > 0:
            _priority, _created, _seq, record = heapq.heappop(queue)
            if record.cancelled:
                continue
            now = self.clock.now()
            calendar = self.scenario.calendar
            start = calendar.next_working(now) if calendar else now
            seconds = self._work_seconds(record.element)
            end = calendar.add_work(start, seconds) if calendar else start + timedelta(seconds=seconds)
            record.started, record.work_seconds, record.busy_until = start, seconds, end
            self.free[pool] -= 1
            self._push(end, "done", record)

    def _work_seconds(self, element: str) -> float:
        observed = self.history.get(element) if self.scenario.durations_from_history else None
        if observed and element not in self.scenario.durations:
            return self.rng.choice(observed)
        return self.scenario.duration(element).minutes(self.rng) * 60

    def _release(self, record: TaskRecord) -> None:
        if record.started is not None and record.released is None:
            record.released = self.clock.now()
            self.free[record.pool] += 1
            self.result.busy[record.pool] += min(
                record.work_seconds, max(0.0, (record.released - record.started).total_seconds())
            )
            self._dispatch(record.pool)

    def _done(self, record: TaskRecord) -> None:
        if record.cancelled:
            return
        case = self.runtime.cases[record.case + 1]
        task = case.workflow.get_task_from_id(record.task_id)
        record.finished = self.clock.now()
        case.tasks.pop(record.task_id, None)
        self._release(record)
        answers = self.scenario.answer(record.element, self.rng)

        def complete() -> None:
            task.set_data(**answers)
            task.run()

        case.record.path.append(record.element)
        self._step(case, complete)


def _simulated_operations(
    services: EngineServices, scenario: Scenario, result: SimulationResult
) -> dict[str, Callable[..., Any]]:
    """Every registered operation replaced by its simulation: no session, no outbox, no outside call."""

    def simulated(name: str) -> Callable[..., Any]:
        declared = services.simulations.get(name)

        def operation(context: OperationContext, **params: Any) -> Any:
            result.operations[name] += 1
            if name in scenario.operations:
                return scenario.operations[name]
            return declared(context, **params) if declared is not None else {}

        return operation

    return {name: simulated(name) for name in services.operations}

