"""The step machinery: start, complete a user task, cancel, and what every step shares.

``Runtime`` is the base of the façade ``engine.api.ProcessEngine``; the other steps
(``steps``, ``messages``, ``migration``) build on it. Every step loads the instance, runs
SpiffWorkflow, then writes the state, the human-task projection, events, subscriptions
and incidents through the given session, and passes the messages and signals it threw on
to other instances (``engine.steps.route_thrown``). The caller owns the transaction
(commit at the edge). The instance's ``version`` column makes a concurrent second step
fail with ``ConflictError`` instead of overwriting.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from engine import (
    bpmn_errors,
    event_log,
    event_subprocesses,
    human_tasks,
    incidents,
    loaded,
    newest,
    rows,
    start_events,
)
from engine.clock_bridge import using_clock
from engine.conflicts import CONFLICT_MESSAGE, step
from engine.definitions import latest_definition
from engine.errors import ConflictError, EngineError, NotFound
from engine.form_store import FormSource, version_forms
from engine.forms import check_submission
from engine.jsonable import to_jsonable
from engine.operations import OperationContext
from engine.ports import EngineServices
from engine.sandbox_budget import Limits
from engine.script_engine import CrmScriptEngine
from engine.serialization import definition_specs, state_to_json, workflow_from_state
from engine.tables import HumanTask, InstanceStatus, ProcessInstance, Subscription, TaskStatus
from engine.tables import ProcessDefinition as Definition
from engine.task_walk import CrmWorkflow
from engine.waits import next_timer, subscription_waits, tasks_in

MAX_ROUNDS = 50
# The stored state keeps a copy of the data per task, so it may be this many times the data limit.
STATE_LIMIT_FACTOR = 8


def _engine_steps(workflow: BpmnWorkflow, will: Callable[[Any], None], did: Callable[[Any], None],
                  running: list[Any]) -> None:
    """``do_engine_steps``; an error SpiffWorkflow does not wrap (a multi-instance input that is
    None raises ``TypeError``) becomes a ``WorkflowTaskException`` of the running task, so it is
    an incident like any other failure, not a 500 or a traceback on every scheduler tick."""
    try:
        workflow.do_engine_steps(will, did)
    except (WorkflowTaskException, SQLAlchemyError, EngineError):
        raise
    except Exception as raw:
        raise WorkflowTaskException(f"Ошибка на шаге процесса: {type(raw).__name__}: {raw}",
                                    task=running[0], exception=raw) from raw


class Runtime:
    """One engine on one session: the steps every other step builds on (see ``engine.api``)."""

    def __init__(self, session: Session, services: EngineServices) -> None:
        self.session = session
        self.services = services
        self.clock = services.clock
        self.settings = services.settings
        self.directory = services.directory
        self.operations = services.operations
        # (event, thrower's business correlation) thrown to other instances, routed after the step
        self.thrown: list[tuple[Any, dict]] = []
        self._unsubscribed: set[int] = set()  # instances known to have no subscription rows
        self._latest: dict[str, tuple[Any, Definition]] = {}  # (transaction, latest version) by key

    # --- loading -------------------------------------------------------------------------

    def _script_engine(self, instance: ProcessInstance | None) -> CrmScriptEngine:
        context = OperationContext(session=self.session, clock=self.clock, settings=self.settings,
                                   instance_id=instance.id if instance else None)
        return CrmScriptEngine(context, self.operations)

    def load(self, instance: ProcessInstance) -> BpmnWorkflow:
        """The instance's workflow, restored on its version's spec (nothing is written)."""
        spec, subprocess_specs = definition_specs(instance.definition)
        workflow = workflow_from_state(instance.state_json, spec, subprocess_specs)
        workflow.script_engine = self._script_engine(instance)
        # Subscription rows mirror the saved state: none stored when it waits for nothing.
        if subscription_waits(workflow):
            self._unsubscribed.discard(instance.id)
        else:
            self._unsubscribed.add(instance.id)
        return workflow

    def forms_of(self, instance: ProcessInstance) -> FormSource:
        """The forms of the instance's version (stored with it at deploy)."""
        return version_forms(self.session, instance.definition, self.settings.forms_dir)

    def instance(self, instance_id: int) -> ProcessInstance:
        """The instance row; ``NotFound`` for an unknown id."""
        instance = self.session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound(f"Экземпляр процесса {instance_id} не найден")
        return instance

    # --- steps -----------------------------------------------------------------------------

    @step
    def start(self, key: str, data: dict | None = None, *, business_type: str | None = None,
              business_id: int | None = None, user_id: int | None = None, title: str | None = None,
              correlation: dict | None = None, fire_start_timer: bool = False,
              message_start: tuple[str, Any] | None = None) -> ProcessInstance:
        """Start the latest version of process ``key`` with initial ``data``.

        ``fire_start_timer`` fires a timer start event at once (the scheduler's start); a
        process with a timer start event started by hand also starts at once (waiting for
        the timer's next moment is the schedule's job, and a cron cycle is beyond
        SpiffWorkflow). ``message_start`` is ``(name, payload)`` of the message that starts
        the process.
        """
        now = self.clock.now()
        data = dict(data or {})
        correlation = dict(correlation or {})
        if business_type and business_id is not None:
            correlation.setdefault(f"{business_type}_id", business_id)
        for k, v in correlation.items():
            data.setdefault(k, v)
        values = dict(
            process_key=key, status=InstanceStatus.RUNNING, state_json="{}", business_type=business_type,
            business_id=business_id, correlation=to_jsonable(correlation), started_by_id=user_id,
            started_at=now, updated_at=now, completed_at=None, next_timer_at=None,
        )
        instance, definition = newest.insert_new(self, key, title, values)
        self._unsubscribed.add(instance.id)
        data["instance_id"] = instance.id
        spec, subprocess_specs = definition_specs(definition)
        workflow = CrmWorkflow(spec, subprocess_specs, script_engine=self._script_engine(instance))
        workflow.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**data)
        self.event(instance, "instance_started", user_id, detail={"version": definition.version})
        if fire_start_timer or (definition.meta or {}).get("timer_start"):
            try:
                for fired in start_events.fire_start_timer(workflow, self.clock):
                    self.event(instance, "timer_fired", user_id, element=fired)
            except WorkflowTaskException as exc:  # a failing first step is an incident, the schedule goes on
                self.incident(instance, exc, user_id)
        if message_start is not None:
            start_events.catch_start_message(workflow, self.clock, *message_start)
        self.advance(instance, workflow, user_id)
        self.save(instance, workflow, open_uuids=set())
        self._route_thrown()
        return instance

    def latest_definition(self, key: str) -> Definition | None:
        """The version new instances of ``key`` start on (asked once per transaction of this engine)."""
        transaction = rows.plain_session(self.session).get_transaction()
        known = self._latest.get(key)
        if known is not None and known[0] is transaction:
            return known[1]
        found = latest_definition(self.session, key)
        if found is not None:
            self._latest[key] = (transaction, found)
        return found

    def _route_thrown(self) -> None:
        if self.thrown:  # most steps throw nothing: no import statement per step
            from engine.steps import route_thrown  # steps builds on this module
            route_thrown(self)

    @step
    def complete_task(self, task_id: int, data: dict, user_id: int | None) -> ProcessInstance:
        """Complete human task ``task_id`` with form ``data`` (validated against its schema)."""
        row = self.session.identity_map.get(identity_key(HumanTask, task_id))
        if row is None:  # one statement for the task, its instance and the definition (three otherwise)
            row = loaded.task_with_instance(self.session, task_id)
        if row is None:
            raise NotFound(f"Задача {task_id} не найдена")
        if row.status != TaskStatus.OPEN:
            raise ConflictError("Задача уже выполнена или отменена")
        instance = row.instance
        if row.form:
            forms = self.forms_of(instance)
            check_submission(forms.get(row.form), data, forms.validator(row.form))
        else:
            check_submission(None, data)
        if instance.status not in InstanceStatus.ACTIVE:
            raise ConflictError("Процесс уже завершён или отменён")
        workflow = self.load(instance)
        task = workflow.get_task_from_id(UUID(row.task_uuid))
        if task is None or task.state != TaskState.READY:
            raise ConflictError("Задача больше не ожидает выполнения")
        # The instance's other open rows: the other ready user tasks of the state it loaded.
        still_open = {str(t.id) for t in tasks_in(workflow, TaskState.READY) if t.task_spec.manual}
        still_open.discard(row.task_uuid)
        now = self.clock.now()
        task.set_data(**data)
        with using_clock(self.clock):
            try:
                task.run()
            except WorkflowTaskException as exc:
                self.incident(instance, exc, user_id)
        rows.finish_task(self.session, row, dict(status=TaskStatus.COMPLETED, completed_at=now,
                                                 completed_by_id=user_id, completed_data=to_jsonable(data)))
        duration = (now - row.created_at).total_seconds() * 1000 if row.created_at else None
        self.event(instance, "user_task_completed", user_id, element=task.task_spec,
                   duration_ms=duration, detail={"human_task_id": row.id})
        self.advance(instance, workflow, user_id)
        self.save(instance, workflow, open_uuids=still_open)
        self._route_thrown()
        return instance

    @step
    def cancel(self, instance_id: int, user_id: int | None, reason: str = "") -> ProcessInstance:
        """Stop an active instance: open tasks cancelled, incidents resolved, the reason in its history."""
        instance = self.instance(instance_id)
        if instance.status not in InstanceStatus.ACTIVE:
            raise ConflictError("Процесс уже завершён или отменён")
        workflow = self.load(instance)
        workflow.cancel()
        now = self.clock.now()
        instance.status = InstanceStatus.CANCELLED
        instance.completed_at = now
        instance.state_json = state_to_json(workflow)
        instance.next_timer_at = None
        instance.updated_at = now
        for row in self.session.scalars(select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == TaskStatus.OPEN)):
            row.status = TaskStatus.CANCELLED
            row.completed_at = now
        for incident in incidents.open_incidents(self.session, instance):
            incident.status = "resolved"
            incident.resolved_at = now
        self.session.execute(delete(Subscription).where(Subscription.instance_id == instance.id))
        self._unsubscribed.add(instance.id)
        self.event(instance, "instance_cancelled", user_id, detail={"reason": reason})
        self.flush()
        return instance

    # --- shared step logic -----------------------------------------------------------------

    def advance(self, instance: ProcessInstance, workflow: BpmnWorkflow, user_id: int | None) -> bool:
        """Run engine tasks until only people, timers or messages can move the process on."""
        started: dict[UUID, float] = {}
        running: list[Any] = [None]  # the task being run, for errors SpiffWorkflow does not wrap

        def will(task: Any) -> None:
            started[task.id] = _time.perf_counter()
            running[0] = task

        def did(task: Any) -> None:
            spec = task.task_spec
            if not getattr(spec, "bpmn_id", None):
                return
            definition = getattr(spec, "event_definition", None)
            kind = "task_completed"
            if isinstance(definition, MultipleEventDefinition):  # event-based gateway
                seen = [e.event_definition for e in task.internal_data.get("seen_events", [])]
                definition = seen[0] if seen else definition
            if isinstance(definition, TimerEventDefinition):
                kind = "timer_fired"
            elif definition is not None and type(definition).__name__ == "MessageEventDefinition" \
                    and not getattr(spec, "manual", False):
                kind = "event_caught" if task.state == TaskState.COMPLETED else kind
            began = started.pop(task.id, None)
            duration = (_time.perf_counter() - began) * 1000 if began else None
            self.event(instance, kind, user_id, element=spec, duration_ms=duration)

        with using_clock(self.clock):
            for _ in range(MAX_ROUNDS):
                try:
                    _engine_steps(workflow, will, did, running)
                except WorkflowTaskException as exc:
                    error = bpmn_errors.raised_error(exc)
                    if error is None or exc.task is None or not bpmn_errors.throw(exc.task, error):
                        self.incident(instance, exc, user_id)
                        return False
                    self.event(instance, "error_thrown", user_id, element=exc.task.task_spec,
                               detail={"code": error.code, "error": error.message})
                    continue
                if event_subprocesses.settle(workflow):
                    continue
                if not any(not t.task_spec.manual for t in tasks_in(workflow, TaskState.READY)):
                    break
        sender = dict(instance.correlation or {})
        self.thrown.extend((event, sender) for event in workflow.get_events())
        return True

    def incident(self, instance: ProcessInstance, exc: WorkflowTaskException, user_id: int | None) -> None:
        """Record a failed task as an incident (``engine.incidents``) and log it as an event."""
        spec, detail = incidents.record(self.session, instance, exc, self.clock.now())
        self.event(instance, "incident", user_id, element=spec, detail=detail)

    def save(self, instance: ProcessInstance, workflow: BpmnWorkflow, *, open_uuids: set[str] | None = None
             ) -> None:
        """Write state, projection, status and subscriptions; the instance last, with one Core UPDATE
        against the version the step read. ``open_uuids``: see ``human_tasks.sync``."""
        now = self.clock.now()
        completed = workflow.is_completed()
        # An open incident keeps the instance in «error» even when no task is in ERROR (a timer
        # expression that failed leaves its event waiting); looked up only for failed instances.
        failed = (instance.status == InstanceStatus.ERROR
                  and bool(incidents.open_incidents(self.session, instance)))
        if completed and instance.status != InstanceStatus.COMPLETED:
            self.event(instance, "instance_completed", None)
        postgres = rows.connection(self.session).dialect.name == "postgresql"  # rows ride in the UPDATE
        ready, new_tasks = human_tasks.sync(self.session, self.directory, instance, workflow, now,
                                            open_uuids=open_uuids, defer_insert=postgres)
        if instance.id not in self._unsubscribed:
            self.session.execute(delete(Subscription).where(Subscription.instance_id == instance.id))
            self._unsubscribed.add(instance.id)
        values: dict[str, Any] = {"completed_at": instance.completed_at}
        if completed:
            values.update(status=InstanceStatus.COMPLETED, completed_at=now, next_timer_at=None)
        elif tasks_in(workflow, TaskState.ERROR) or failed:
            values.update(status=InstanceStatus.ERROR, next_timer_at=next_timer(workflow))
        else:
            values.update(status=InstanceStatus.RUNNING if ready else InstanceStatus.WAITING,
                          next_timer_at=next_timer(workflow))
        if values["status"] not in (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED):
            self._subscribe(instance, workflow)
        state = state_to_json(workflow)
        limit = Limits.from_settings(self.settings).data_bytes * STATE_LIMIT_FACTOR
        if len(state) > limit:
            raise EngineError(f"Данные экземпляра процесса больше допустимого ({len(state) >> 10} КБ при "
                              f"пределе {limit >> 10} КБ): изменения не сохранены")
        if not postgres:
            event_log.write_pending(self.session)
        pending = event_log.take_pending(self.session)  # PostgreSQL: they ride in the instance's UPDATE
        events = event_log.as_json(pending) if pending else None
        try:
            rows.update_instance(self.session, instance, dict(values, state_json=state, updated_at=now),
                                 events, rows.tasks_as_json(new_tasks) if new_tasks else None)
        except StaleDataError:  # an autoflush of the instance's own ORM changes lost the race
            raise ConflictError(CONFLICT_MESSAGE) from None
        self.flush()

    def _subscribe(self, instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
        for kind, pending in subscription_waits(workflow):
            correlation = dict(instance.correlation or {})
            correlation.update(to_jsonable(pending.correlations or {}))
            self.session.add(Subscription(instance_id=instance.id, kind=kind, name=pending.name,
                                          correlation=correlation))
            self._unsubscribed.discard(instance.id)

    def flush(self) -> None:
        try:
            event_log.write_pending(self.session)
            self.session.flush()
        except StaleDataError:
            raise ConflictError(CONFLICT_MESSAGE) from None

    def event(self, instance: ProcessInstance, kind: str, user_id: int | None, *, element: Any = None,
              duration_ms: float | None = None, detail: dict | None = None) -> None:
        """Append a ``process_event`` row (every step calls this); written at the next flush."""
        event_log.append(self.session, dict(
            instance_id=instance.id, kind=kind, user_id=user_id, at=self.clock.now(),
            element_id=getattr(element, "bpmn_id", None), element_name=getattr(element, "bpmn_name", None),
            element_type=type(element).__name__ if element is not None else None,
            duration_ms=duration_ms, detail=to_jsonable(detail) if detail else None,
        ))
