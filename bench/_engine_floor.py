"""The floor of the engine bench: bare SpiffWorkflow writing the engine's rows through the raw DB-API.

Why: the fair baseline keeps its state in memory, so the ratio engine/baseline mixes two costs —
what the rows themselves cost the database (and the driver) and what the engine adds on top of
them (SQLAlchemy, the ORM objects callers get, the sandbox, the inbox projection, the form
check). The floor separates them. It runs the baseline's own workflow code (the same specs,
plain ``exec``/``eval``, the same state JSON) and writes exactly the rows the engine writes for
an instance of the model — on start the instance (INSERT, then the UPDATE with its state, as
the engine must: the id is in the process data), the ready user task and the events; on
completion the task's UPDATE, the events and the instance's UPDATE against the version read —
through the DB-API cursor of a pooled connection of a database of its own, migrated and deployed
like the engine's, one transaction per call, with nothing in between (on PostgreSQL everything after
the INSERT in one statement). An engine that writes those rows will hardly write them for less, so
«engine ÷ floor» is what the engine's own code costs and «floor ÷ baseline» is about the ceiling of
the ratio the issue asks for on the machine at hand. It keeps its own small JSON helper and SQL
rather than the engine's, so that nothing of the engine is in it.

Every instance is checked: its workflow completes with the model's result, and at the end the
stored rows are read back through the engine (``EngineOnDatabase.check``), like the engine's own.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._engine_runners import EngineOnDatabase, Model, Result, wrong_result

FLOOR_TYPE = "floor"  # business_type of the floor's instances, apart from the engine's
_INSTANCE = ("definition_id", "process_key", "title", "status", "state_json", "business_type", "business_id",
             "correlation", "started_by_id", "started_at", "updated_at", "completed_at", "next_timer_at",
             "version")
_TASK = ("instance_id", "task_uuid", "element_id", "process_key", "title", "form", "status", "business_type",
         "business_id", "priority", "created_at")
_EVENT = ("instance_id", "kind", "user_id", "at", "element_id", "element_name", "element_type", "duration_ms",
          "detail")


def _sql(text: str, columns: tuple[str, ...], mark: str) -> str:
    return text.format(columns=", ".join(columns), marks=", ".join([mark] * len(columns)))


def _as_json(columns: tuple[str, ...], rows: list[tuple]) -> str:
    """Rows as the JSON array ``json_populate_recordset`` reads (times as ISO text)."""
    return json.dumps([{name: value.isoformat() if isinstance(value, datetime) else value
                        for name, value in zip(columns, row, strict=True)} for row in rows])


class FloorOnDatabase:
    """The engine's rows, written by hand next to bare SpiffWorkflow, in a database of its own."""

    def __init__(self, name: str, url: str, tmp: Path) -> None:
        from bench._engine_runners import Baseline

        self.name = name
        # A database of its own, migrated and deployed as the engine's: the tables' growth and the
        # checks of each variant see only its own rows.
        self.on = EngineOnDatabase(name, url, tmp)
        self.bare = Baseline()
        self.connection = self.on.bind.raw_connection()  # the app's pool: same settings
        self.sqlite = self.on.bind.dialect.name == "sqlite"
        self.mark = m = "?" if self.sqlite else "%s"
        self.insert_instance = _sql("INSERT INTO process_instance ({columns}) VALUES ({marks}) RETURNING id",
                                    _INSTANCE, m)
        self.insert_task = _sql("INSERT INTO human_task ({columns}) VALUES ({marks})", _TASK, m)
        self.insert_events = _sql("INSERT INTO process_event ({columns}) VALUES ({marks})", _EVENT, m)
        self.update_instance = (f"UPDATE process_instance SET status = {m}, state_json = {m}, "
                                f"updated_at = {m}, completed_at = {m}, next_timer_at = {m}, version = {m} "
                                f"WHERE id = {m} AND version = {m}")
        self.read_task = (f"SELECT t.task_uuid, t.status, i.id, i.state_json, i.version FROM human_task t "
                          f"JOIN process_instance i ON i.id = t.instance_id WHERE t.id = {m}")
        self.finish_task = (f"UPDATE human_task SET status = {m}, completed_at = {m}, completed_by_id = {m}, "
                            f"completed_data = {m} WHERE id = {m}")
        self.open_task = f"SELECT id FROM human_task WHERE instance_id = {m} AND status = 'open'"
        # PostgreSQL: the rows after the instance's INSERT in one statement (tasks and events as JSON
        # parameters of data-modifying CTEs), one round trip as the engine's events ride its UPDATE.
        tasks, events = ", ".join(_TASK), ", ".join(_EVENT)
        self.pg_start = (
            f"WITH t AS (INSERT INTO human_task ({tasks}) SELECT {tasks} FROM "
            f"json_populate_recordset(NULL::human_task, %s::json)), "
            f"e AS (INSERT INTO process_event ({events}) SELECT {events} FROM "
            f"json_populate_recordset(NULL::process_event, %s::json)) " + self.update_instance)
        self.pg_complete = (
            f"WITH t AS ({self.finish_task}), "
            f"e AS (INSERT INTO process_event ({events}) SELECT {events} FROM "
            f"json_populate_recordset(NULL::process_event, %s::json)) " + self.update_instance)
        self.definitions: dict[str, int] = {}
        self.started = 0

    def _time(self, moment: datetime) -> Any:
        """As SQLAlchemy's ``UTCDateTime`` stores it: naive UTC text on SQLite, aware on PostgreSQL."""
        return moment.replace(tzinfo=None).isoformat(" ") if self.sqlite else moment

    def _definition(self, model: Model) -> int:
        if model.key not in self.definitions:
            cursor = self.connection.cursor()
            cursor.execute(f"SELECT max(id) FROM process_definition WHERE key = {self.mark}", (model.key,))
            self.definitions[model.key] = cursor.fetchone()[0]
            self.connection.commit()
        return self.definitions[model.key]

    def _events(self, instance_id: int, kinds: list[str], tasks: list[Any]) -> list[tuple]:
        at = self._time(datetime.now(UTC))
        empty = "null" if self.sqlite else None  # JSON null, as the engine stores no detail
        rows = [(instance_id, kind, None, at, None, None, None, None, empty) for kind in kinds]
        rows += [(instance_id, "task_completed", None, at, t.task_spec.bpmn_id, t.task_spec.bpmn_name,
                  type(t.task_spec).__name__, 0.1, empty) for t in tasks]
        return rows

    def _steps(self, workflow: Any) -> list[Any]:
        """``do_engine_steps``, collecting the completed BPMN tasks the engine logs an event for."""
        done: list[Any] = []
        workflow.do_engine_steps(None, lambda task: done.append(task)
                                 if getattr(task.task_spec, "bpmn_id", None) else None)
        return done

    def _start(self, model: Model, i: int) -> int:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        from engine.serialization import state_to_json

        cursor = self.connection.cursor()
        now = datetime.now(UTC)
        at = self._time(now)
        cursor.execute(self.insert_instance, (
            self._definition(model), model.key, f"{model.title} {i}", "running", "{}", FLOOR_TYPE, i + 1,
            json.dumps({f"{FLOOR_TYPE}_id": i + 1}), None, at, at, None, None, 1))
        instance_id = cursor.fetchone()[0]
        spec, subprocess_specs = self.bare.specs[model.key]
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.bare.script_engine)
        data = dict(model.start_data(i), instance_id=instance_id)
        workflow.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**data)
        done = self._steps(workflow)
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        tasks = [(instance_id, str(t.id), t.task_spec.bpmn_id, model.key, t.task_spec.bpmn_name,
                  (getattr(t.task_spec, "extensions", None) or {}).get("properties", {}).get(
                      "formJsonSchemaFilename"), "open", FLOOR_TYPE, i + 1, 2, at) for t in ready]
        events = self._events(instance_id, ["instance_started"], done)
        update = ("running", state_to_json(workflow), at, None, None, 2, instance_id, 1)
        if self.sqlite:
            cursor.executemany(self.insert_task, tasks)
            cursor.executemany(self.insert_events, events)
            cursor.execute(self.update_instance, update)
        else:
            cursor.execute(self.pg_start, (_as_json(_TASK, tasks), _as_json(_EVENT, events), *update))
        self.connection.commit()
        return int(instance_id)

    def _task_of(self, instance_id: int) -> int:
        cursor = self.connection.cursor()
        cursor.execute(self.open_task, (instance_id,))
        task_id = cursor.fetchone()[0]
        self.connection.commit()  # the inbox's read, not timed (as for the engine)
        return int(task_id)

    def _complete(self, model: Model, task_id: int, i: int) -> Any:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        from engine.serialization import state_to_json, workflow_from_state

        cursor = self.connection.cursor()
        cursor.execute(self.read_task, (task_id,))
        task_uuid, status, instance_id, state, version = cursor.fetchone()
        if status != "open":
            raise wrong_result(self.name, f"задача {task_id} уже не открыта")
        workflow = workflow_from_state(state, *self.bare.specs[model.key], workflow_class=BpmnWorkflow)
        workflow.script_engine = self.bare.script_engine
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        task = next(t for t in ready if str(t.id) == task_uuid)
        form = model.form(i)
        task.set_data(**form)
        task.run()
        done = self._steps(workflow)
        now = datetime.now(UTC)
        at = self._time(now)
        finish = ("completed", at, None, json.dumps(form), task_id)
        events = self._events(instance_id, ["user_task_completed", "instance_completed"]
                              if workflow.is_completed() else ["user_task_completed"], done)
        status = "completed" if workflow.is_completed() else "waiting"
        update = (status, state_to_json(workflow), at, at, None, version + 1, instance_id, version)
        if self.sqlite:
            cursor.execute(self.finish_task, finish)
            cursor.executemany(self.insert_events, events)
            cursor.execute(self.update_instance, update)
        else:
            cursor.execute(self.pg_complete, (*finish, _as_json(_EVENT, events), *update))
        if cursor.rowcount != 1:
            raise wrong_result(self.name, f"экземпляр {instance_id} изменён другим")
        self.connection.commit()
        return workflow

    def begin(self, model: Model) -> None:
        self.on.begin(model)
        self.started = 0

    def run(self, model: Model, i: int, result: Result) -> None:
        instance_id = result.timed("start", lambda: self._start(model, i))
        task_id = self._task_of(instance_id)
        workflow = result.timed("complete", lambda: self._complete(model, task_id, i))
        problem = None if workflow.is_completed() else "не завершён"
        problem = problem or model.wrong(i, workflow.last_task.data)
        if problem:
            raise wrong_result(self.name, f"экземпляр {i}: {problem}")
        self.started += 1

    def finish(self, model: Model, result: Result) -> None:
        """The stored rows, read back through the engine: completed, with the model's result."""
        self.on.started = self.started
        self.on.measure(model, result)
        self.on.check(model, FLOOR_TYPE, self.started, self.name)

    def close(self) -> None:
        self.connection.close()
        self.on.close()

