"""The variants ``bench/engine.py`` compares: the fair baseline and the engine on a database.

The baseline is bare SpiffWorkflow doing exactly the state round trip the engine does: after
each call the workflow state (without its spec, which the engine stores once per version and
keeps restored in memory) is serialized to JSON as the engine stores it, and the next call
restores it on the same cached spec. So the ratio engine/baseline is the price of the
database, the inbox projection, the history, the form validation and the sandbox — not of a
spec the engine never serializes per call. The engine runs through ``ProcessEngine`` with a
commit per call, each call in its own session like a web request.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
PROCESSES = HERE / "processes"
FORMS = HERE / "forms"
PG_DATABASE = "crm_bench_engine"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ENGINE_TYPE = "bench"  # business_type of the engine's instances (the floor's are apart)
ENGINE_TABLES = ("process_instance", "human_task", "process_event", "process_incident",
                 "process_subscription")


@dataclass(frozen=True)
class Model:
    """A benchmarked process: its input, its form, and the check of every instance's result.

    ``wrong(i, data)`` names what is wrong with the final data of instance ``i`` (None if right).
    """

    key: str
    title: str
    start_data: Callable[[int], dict]
    form: Callable[[int], dict]
    wrong: Callable[[int, dict], str | None]


@dataclass
class Result:
    """Figures of one run: time of the engine calls, their latencies, bytes stored."""

    name: str
    instances: int
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # of this process only (PostgreSQL's own work is not in it)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"start": [], "complete": []})
    bytes_per_instance: float | None = None
    state_bytes: float | None = None
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.instances / self.seconds if self.seconds else 0.0

    def timed(self, kind: str, call: Callable[[], Any]) -> Any:
        began, cpu = time.perf_counter(), time.process_time()
        value = call()
        elapsed = time.perf_counter() - began
        self.cpu_seconds += time.process_time() - cpu
        self.seconds += elapsed
        self.latencies[kind].append(elapsed * 1000)
        return value


def wrong_result(name: str, what: str) -> SystemExit:
    return SystemExit(f"неверный результат: {name}: {what}")


# --- the fair baseline: bare SpiffWorkflow + the engine's state round trip -----------------


class Baseline:
    """Bare SpiffWorkflow; between calls only the state JSON is kept, as the engine keeps it."""

    name = "SpiffWorkflow + состояние (база)"

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
        from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

        from engine.builtins import calculate_premium

        class BareScriptEngine(PythonScriptEngine):
            """Plain exec/eval; the service task calls the same Python function directly."""

            def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
                params = {k: Decimal(str(v["value"])) for k, v in operation_params.items()}
                return json.dumps(calculate_premium(None, **params))

        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_dmn_files([str(p) for p in sorted(PROCESSES.glob("*.dmn"))])
        parser.add_bpmn_files([str(p) for p in sorted(PROCESSES.glob("*.bpmn"))])
        self.specs = {key: (parser.get_spec(key), parser.get_subprocess_specs(key))
                      for key in parser.get_process_ids()}
        self.script_engine = BareScriptEngine()
        self.sizes: list[int] = []

    def _store(self, workflow: Any) -> str:
        from engine.serialization import state_to_json

        text = state_to_json(workflow)
        self.sizes.append(len(text.encode()))
        return text

    def _start(self, model: Model, i: int) -> str:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        spec, subprocess_specs = self.specs[model.key]
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**model.start_data(i))
        workflow.do_engine_steps()
        return self._store(workflow)

    def _complete(self, model: Model, state: str, i: int) -> tuple[str, Any]:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        from engine.serialization import workflow_from_state

        # The library's own class: the engine's (``engine.task_walk``) is part of what is measured.
        workflow = workflow_from_state(state, *self.specs[model.key], workflow_class=BpmnWorkflow)
        workflow.script_engine = self.script_engine
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(**model.form(i))
        task.run()
        workflow.do_engine_steps()
        return self._store(workflow), workflow

    def begin(self, model: Model) -> None:
        self.sizes.clear()

    def run(self, model: Model, i: int, result: Result) -> None:
        state = result.timed("start", lambda: self._start(model, i))
        _, workflow = result.timed("complete", lambda: self._complete(model, state, i))
        problem = None if workflow.is_completed() else "не завершён"
        problem = problem or model.wrong(i, workflow.last_task.data)
        if problem:
            raise wrong_result(self.name, f"экземпляр {i}: {problem}")

    def finish(self, model: Model, result: Result) -> None:
        result.state_bytes = statistics.mean(self.sizes[1::2])  # the state after the last call
        result.note = "без БД"

    def close(self) -> None:
        pass


# --- the engine on a database ----------------------------------------------------------


def _settings(url: str, tmp: Path) -> Any:
    from models.platform.settings import Settings

    return Settings(database_url=url, secret_key="bench", env="test", instance_dir=tmp,
                    scheduler=False, smtp_url="smtp://127.0.0.1:1", registry_url="http://127.0.0.1:1",
                    processes_dir=PROCESSES, forms_dir=FORMS)


def _table_bytes(session: Any) -> int:
    from sqlalchemy import text

    names = ", ".join(f"'{t}'" for t in ENGINE_TABLES)
    if session.get_bind().dialect.name == "postgresql":
        return int(session.scalar(text(
            f"SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relname IN ({names})")))
    session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    return int(session.scalar(text(
        "SELECT sum(pgsize) FROM dbstat WHERE name IN "
        f"(SELECT name FROM sqlite_master WHERE tbl_name IN ({names}))")))


class EngineOnDatabase:
    """The bench processes deployed on a migrated database, driven through ``ProcessEngine``."""

    def __init__(self, name: str, url: str, tmp: Path) -> None:
        import alembic.command
        from sqlalchemy.orm import sessionmaker

        from engine.bundle import Bundle
        from models.platform.clock import SystemClock
        from models.platform.db import db
        from web import create_app
        from web.engine_support import engine_services

        self.name = name
        app = create_app(_settings(url, tmp), clock=SystemClock())
        with app.app_context():
            alembic.command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
            self.bind = db.engine
        self.services = engine_services(app)
        self.factory = sessionmaker(bind=self.bind, expire_on_commit=False)
        with self.factory() as session:
            self.services.engine(session).deploy(Bundle.from_paths([PROCESSES], FORMS))
            session.commit()
        self.bytes_before = 0
        self.started = 0

    def begin(self, model: Model) -> None:
        with self.factory() as session:
            self.bytes_before = _table_bytes(session)
        self.started = 0

    def _start(self, model: Model, i: int) -> int:
        with self.factory() as session:
            instance = self.services.engine(session).start(
                model.key, model.start_data(i), business_type=ENGINE_TYPE, business_id=i + 1,
                title=f"{model.title} {i}")
            session.commit()
            return instance.id

    def _open_task(self, instance_id: int) -> int:
        from sqlalchemy import select

        from engine.tables import HumanTask, TaskStatus

        with self.factory() as session:
            return session.scalar(select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN))

    def _complete(self, model: Model, task_id: int, i: int) -> None:
        with self.factory() as session:
            self.services.engine(session).complete_task(task_id, model.form(i), None)
            session.commit()

    def run(self, model: Model, i: int, result: Result) -> None:
        instance_id = result.timed("start", lambda: self._start(model, i))
        task_id = self._open_task(instance_id)  # the inbox's job, not the engine's: not timed
        result.timed("complete", lambda: self._complete(model, task_id, i))
        self.started += 1

    def finish(self, model: Model, result: Result) -> None:
        self.measure(model, result)
        self.check(model, ENGINE_TYPE, self.started, self.name)

    def measure(self, model: Model, result: Result) -> None:
        """The tables' growth per instance since ``begin`` and the stored state's mean size."""
        from sqlalchemy import func, select

        from engine.tables import ProcessInstance

        with self.factory() as session:
            # Includes the warm-up instances: bytes_before was taken before them.
            result.bytes_per_instance = (_table_bytes(session) - self.bytes_before) / self.started
            result.state_bytes = session.scalar(select(func.avg(func.length(ProcessInstance.state_json)))
                                                .where(ProcessInstance.process_key == model.key))

    def check(self, model: Model, business_type: str, started: int, name: str) -> None:
        """Every instance of ``model`` started with ``business_type`` completed with the result its
        input calls for, read through the engine (the floor's rows too: ``bench._engine_floor``).

        Instance ``i`` was started with ``business_id`` = i + 1, which names its input.
        """
        from sqlalchemy import select, update

        from bench.common import sabotaged
        from engine.monitoring import instance_data
        from engine.tables import InstanceStatus, ProcessInstance

        with self.factory() as session:
            mine = (ProcessInstance.process_key == model.key) & (
                ProcessInstance.business_type == business_type)
            if sabotaged():  # one instance's input is swapped: its result no longer fits
                first = session.scalar(select(ProcessInstance.id).where(mine)
                                       .order_by(ProcessInstance.id).limit(1))
                session.execute(update(ProcessInstance).where(ProcessInstance.id == first)
                                .values(business_id=ProcessInstance.business_id + 1))
                session.commit()
            engine = self.services.engine(session)
            checked = 0
            for instance in session.scalars(select(ProcessInstance).where(mine)):
                if instance.status != InstanceStatus.COMPLETED:
                    raise wrong_result(name, f"экземпляр {instance.id} не завершён ({instance.status})")
                data, error = instance_data(engine, instance)
                problem = error or model.wrong(int(instance.business_id) - 1, data or {})
                if problem:
                    raise wrong_result(name, f"{model.key}, экземпляр {instance.id}: {problem}")
                checked += 1
        if checked != started:
            raise wrong_result(name, f"{model.key}: проверено {checked} из {started} экземпляров")

    def close(self) -> None:
        self.bind.dispose()


def _pg_admin(url: str, database: str = PG_DATABASE) -> tuple[str, str]:
    """(libpq conninfo of the server, SQLAlchemy URL of the bench database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    bench_url = parsed.set(database=database).render_as_string(hide_password=False)
    return conninfo, bench_url


class PostgresDatabase:
    """Creates ``database`` (``crm_bench_engine`` unless named) on the server and drops it afterwards."""

    def __init__(self, database: str = PG_DATABASE) -> None:
        self.server = os.environ.get("CRM_BENCH_DATABASE_URL") or DEFAULT_PG
        self.database = database
        self.conninfo, self.url = _pg_admin(self.server, database)

    def create(self) -> str | None:
        """None when created, else why PostgreSQL cannot be used."""
        import psycopg

        try:
            self._run(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
                      f'CREATE DATABASE "{self.database}"')
        except psycopg.Error as exc:
            return str(exc).strip().splitlines()[0]
        return None

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def _run(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
            for statement in statements:
                conn.execute(statement)
