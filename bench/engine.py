"""Engine benchmark: the cost of persistence, measured against bare SpiffWorkflow.

A realistic lead process (``bench/processes/bench_lead.bpmn``: start, script, DMN routing,
user task with a validated form, exclusive gateway, service task, end) runs N times
through the real engine API — ``ProcessEngine.start`` + commit, then ``complete_task`` +
commit, each in its own session like a web request — on a SQLite file and on PostgreSQL,
both created by the Alembic migrations. The baseline runs the same specs in bare
SpiffWorkflow in memory with one JSON serialize + deserialize round trip per engine call,
the least any engine that persists its state must do. The ratio engine/baseline says how
much the database, the projections and the history cost; the target is ≥ 0.5 on SQLite.

``python -m bench.engine --instances 200`` changes N (``make bench`` uses the default);
``CRM_BENCH_DATABASE_URL`` names the PostgreSQL server (the bench creates and drops the
database ``crm_bench_engine`` there).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
PROCESSES = HERE / "processes"
FORMS = HERE / "forms"
KEY = "bench_lead"
DEFAULT_INSTANCES = 2000
PG_DATABASE = "crm_bench_engine"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ENGINE_TABLES = ("process_instance", "human_task", "process_event", "process_incident",
                 "process_subscription")
INDUSTRIES = ("construction", "retail", "logistics", "it")


@dataclass
class Result:
    """Figures of one run: wall time of the engine calls, their latencies, bytes stored."""

    name: str
    instances: int
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"start": [], "complete": []})
    bytes_per_instance: float | None = None
    state_bytes: float | None = None
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.instances / self.seconds if self.seconds else 0.0

    def timed(self, kind: str, call: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        value = call()
        elapsed = time.perf_counter() - began
        self.seconds += elapsed
        self.latencies[kind].append(elapsed * 1000)
        return value


def lead(i: int) -> dict:
    """Deterministic input of instance ``i``: every size band and DMN rule is exercised."""
    return {"company": f"ООО «Ромашка-{i}»", "employees": (7, 60, 400)[i % 3],
            "revenue": 1_000_000 + 37_000 * i, "industry": INDUSTRIES[i % len(INDUSTRIES)]}


def form(i: int) -> dict:
    return {"outcome": "qualified", "contact_name": f"Иванов И.И. {i}", "phone": "+79161234567",
            "budget": 250000, "comment": "Готов обсудить договор ДМС"}


def expected_premium(i: int) -> str:
    data = lead(i)
    size = "large" if data["employees"] >= 250 else ("medium" if data["employees"] >= 50 else "small")
    rate = {"large": "0.015", "medium": "0.018", "small": "0.025"}[size]
    if size == "large" and data["industry"] == "construction":
        rate = "0.021"
    base = Decimal(str(data["revenue"] / 1000))
    return str((base * Decimal(rate)).quantize(Decimal("0.01")))


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- baseline: bare SpiffWorkflow in memory --------------------------------------------


class Baseline:
    """The same specs in bare SpiffWorkflow, one JSON round trip per engine call."""

    name = "SpiffWorkflow в памяти (база)"

    def __init__(self) -> None:
        from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
        from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

        from engine.builtins import calculate_premium

        class BareScriptEngine(PythonScriptEngine):
            """Plain exec/eval; the service task calls the same Python function directly."""

            def call_service(self, task, operation_name=None, operation_params=None, **kwargs):
                params = {k: Decimal(str(v["value"])) for k, v in operation_params.items()}
                return json.dumps(calculate_premium(None, **params))

        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_dmn_files([str(PROCESSES / "bench_routing.dmn")])
        parser.add_bpmn_files([str(PROCESSES / "bench_lead.bpmn")])
        self.spec, self.subprocess_specs = parser.get_spec(KEY), parser.get_subprocess_specs(KEY)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = BareScriptEngine()
        self.sizes: list[int] = []

    def _round_trip(self, workflow: Any) -> Any:
        text = self.serializer.serialize_json(workflow)
        restored = self.serializer.deserialize_json(text)
        restored.script_engine = self.script_engine
        self.sizes.append(len(text.encode()))
        return restored

    def _start(self, i: int) -> Any:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        workflow = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**lead(i))
        workflow.do_engine_steps()
        return self._round_trip(workflow)

    def _complete(self, workflow: Any, i: int) -> Any:
        from SpiffWorkflow.util.task import TaskState

        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(**form(i))
        task.run()
        workflow.do_engine_steps()
        return self._round_trip(workflow)

    def run(self, i: int, result: Result) -> None:
        workflow = result.timed("start", lambda: self._start(i))
        workflow = result.timed("complete", lambda: self._complete(workflow, i))
        if not workflow.is_completed() or workflow.last_task.data["quote"]["premium"] != expected_premium(i):
            raise SystemExit(f"неверный результат: {self.name}: instance {i} ended wrong")

    def finish(self, result: Result) -> None:
        result.state_bytes = statistics.mean(self.sizes[1::2])  # the stored state after the last call
        result.note = "JSON со спецификацией, без БД"

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
    """The bench process deployed on a migrated database, driven through ``ProcessEngine``."""

    def __init__(self, name: str, url: str, tmp: Path) -> None:
        import alembic.command
        from sqlalchemy.orm import sessionmaker

        from engine.bundle import Bundle
        from models.platform.clock import SystemClock
        from models.platform.db import db
        from web import create_app
        from web.engine_support import engine_services

        self.name = name
        self.clock = SystemClock()
        self.settings = _settings(url, tmp)
        app = create_app(self.settings, clock=self.clock)
        with app.app_context():
            alembic.command.upgrade(app.extensions["migrate"].migrate.get_config(), "heads")
            self.bind = db.engine
        self.services = engine_services(app)
        self.factory = sessionmaker(bind=self.bind, expire_on_commit=False)
        with self.factory() as session:
            self.services.engine(session).deploy(Bundle.from_paths([PROCESSES], FORMS))
            session.commit()
            self.bytes_before = _table_bytes(session)
        self.started = 0

    def _engine(self, session: Any) -> Any:
        return self.services.engine(session)

    def _start(self, i: int) -> int:
        with self.factory() as session:
            instance = self._engine(session).start(
                KEY, lead(i), business_type="lead", business_id=i + 1, title=lead(i)["company"])
            session.commit()
            return instance.id

    def _open_task(self, instance_id: int) -> int:
        from sqlalchemy import select

        from engine.tables import HumanTask, TaskStatus

        with self.factory() as session:
            return session.scalar(select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN))

    def _complete(self, task_id: int, i: int) -> None:
        with self.factory() as session:
            self._engine(session).complete_task(task_id, form(i), None)
            session.commit()

    def run(self, i: int, result: Result) -> None:
        instance_id = result.timed("start", lambda: self._start(i))
        task_id = self._open_task(instance_id)  # the inbox's job, not the engine's: not timed
        result.timed("complete", lambda: self._complete(task_id, i))
        self.started += 1

    def finish(self, result: Result) -> None:
        from sqlalchemy import func, select

        from engine.tables import InstanceStatus, ProcessInstance

        with self.factory() as session:
            # Includes the warm-up instances: bytes_before was taken before them.
            result.bytes_per_instance = (_table_bytes(session) - self.bytes_before) / self.started
            done = session.scalar(select(func.count()).select_from(ProcessInstance).where(
                ProcessInstance.status == InstanceStatus.COMPLETED))
            result.state_bytes = session.scalar(select(func.avg(func.length(ProcessInstance.state_json))))
        if done != self.started:
            raise SystemExit(f"неверный результат: {self.name}: {done} of {self.started} instances completed")
        self._check_premiums()

    def _check_premiums(self) -> None:
        """Every completed instance quoted the premium its input calls for (``business_id`` = i + 1)."""
        from sqlalchemy import select, update

        from bench.common import sabotaged
        from engine.monitoring import instance_data
        from engine.tables import InstanceStatus, ProcessInstance

        with self.factory() as session:
            if sabotaged():  # one instance's input is swapped: its premium no longer fits
                first = session.scalar(select(ProcessInstance.id).order_by(ProcessInstance.id).limit(1))
                session.execute(update(ProcessInstance).where(ProcessInstance.id == first)
                                .values(business_id=ProcessInstance.business_id + 1))
                session.commit()
            engine = self._engine(session)
            for instance in session.scalars(select(ProcessInstance).where(
                    ProcessInstance.status == InstanceStatus.COMPLETED)):
                data, error = instance_data(engine, instance)
                premium = ((data or {}).get("quote") or {}).get("premium")
                wanted = expected_premium(int(instance.business_id) - 1)
                if error or str(premium) != str(wanted):
                    raise SystemExit(f"неверный результат: {self.name}: экземпляр {instance.id} "
                                     f"дал премию {premium}, ждали {wanted}")

    def close(self) -> None:
        self.bind.dispose()


def _pg_admin(url: str) -> tuple[str, str]:
    """(libpq conninfo of the server, SQLAlchemy URL of the bench database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    bench_url = parsed.set(database=PG_DATABASE).render_as_string(hide_password=False)
    return conninfo, bench_url


class PostgresDatabase:
    """Creates ``crm_bench_engine`` on the server and drops it afterwards."""

    def __init__(self) -> None:
        self.server = os.environ.get("CRM_BENCH_DATABASE_URL") or DEFAULT_PG
        self.conninfo, self.url = _pg_admin(self.server)

    def create(self) -> str | None:
        """None when created, else why PostgreSQL cannot be used."""
        import psycopg

        try:
            self._run(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)',
                      f'CREATE DATABASE "{PG_DATABASE}"')
        except psycopg.Error as exc:
            return str(exc).strip().splitlines()[0]
        return None

    def drop(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')

    def _run(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
            for statement in statements:
                conn.execute(statement)


# --- report ----------------------------------------------------------------------------


def _kb(value: float | None) -> str:
    return f"{value / 1024:.1f}" if value else "—"


def report(results: list[Result], baseline: Result) -> None:
    header = (f"{'вариант':<30} {'экз./с':>8} {'к базе':>7} {'p50 мс':>7} {'p95 мс':>7} "
              f"{'старт p50/p95':>14} {'задача p50/p95':>15} {'КБ/экз.':>8} {'состояние КБ':>13}")
    print(header)
    print("-" * len(header))
    for r in results:
        if not r.instances:
            print(f"{r.name:<30} {r.note}")
            continue
        calls = r.latencies["start"] + r.latencies["complete"]
        ratio = r.per_second / baseline.per_second if baseline.per_second else 0.0
        start = f"{percentile(r.latencies['start'], .5):.2f}/{percentile(r.latencies['start'], .95):.2f}"
        done = f"{percentile(r.latencies['complete'], .5):.2f}/{percentile(r.latencies['complete'], .95):.2f}"
        print(f"{r.name:<30} {r.per_second:>8.1f} {ratio:>7.2f} {percentile(calls, .5):>7.2f} "
              f"{percentile(calls, .95):>7.2f} {start:>14} {done:>15} {_kb(r.bytes_per_instance):>8} "
              f"{_kb(r.state_bytes):>13}")
    print()
    print("экз./с — экземпляров в секунду (старт + выполнение задачи, каждое своей транзакцией);")
    print("p50/p95 — задержка одного вызова движка; КБ/экз. — прирост таблиц движка с индексами;")
    print("состояние — средний размер сохранённого JSON (у базы — вместе со спецификацией).")


def measure(runners: list[Any], n: int, warmup: int, rounds: int) -> list[Result]:
    """Warm every runner up, then run N instances each in interleaved rounds.

    Interleaving gives the baseline and the engines the same share of whatever else the
    machine is doing, so the ratio stays meaningful on a busy machine.
    """
    results = [Result(r.name, n) for r in runners]
    warm = [Result(r.name, warmup) for r in runners]
    for runner, result in zip(runners, warm, strict=True):
        for i in range(warmup):
            runner.run(i, result)
    bounds = [n * k // rounds for k in range(rounds + 1)]
    for k in range(rounds):
        for runner, result in zip(runners, results, strict=True):
            for i in range(bounds[k], bounds[k + 1]):
                runner.run(warmup + i, result)
    for runner, result in zip(runners, results, strict=True):
        runner.finish(result)
    return results


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=DEFAULT_INSTANCES,
                        help=f"экземпляров на каждый вариант (по умолчанию {DEFAULT_INSTANCES})")
    parser.add_argument("--rounds", type=int, default=10, help="чередующихся раундов (по умолчанию 10)")
    parser.add_argument("--no-postgres", action="store_true", help="только база и SQLite")
    args = parser.parse_args(argv)
    n = max(1, args.instances)
    warmup = max(5, n // 20)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    print(f"Процесс {KEY}: {n} экземпляров на вариант (+{warmup} на разогрев), "
          f"два вызова движка на экземпляр, {args.rounds} чередующихся раундов", flush=True)
    postgres = None if args.no_postgres else PostgresDatabase()
    problem = postgres.create() if postgres else None
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        runners: list[Any] = [Baseline(), EngineOnDatabase(
            "Движок, SQLite (файл)", f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp) / "sqlite")]
        try:
            if postgres and not problem:
                runners.append(EngineOnDatabase("Движок, PostgreSQL", postgres.url, Path(tmp) / "pg"))
            results = measure(runners, n, warmup, max(1, min(args.rounds, n)))
        finally:
            for runner in runners:
                runner.close()
            if postgres and not problem:
                postgres.drop()
    if postgres and problem:
        skipped = Result("Движок, PostgreSQL", 0)
        skipped.note = f"пропущен: PostgreSQL недоступен ({problem})"
        results.append(skipped)
    report(results, results[0])
    ratio = results[1].per_second / results[0].per_second
    verdict = "достигнута" if ratio >= 0.5 else "НЕ достигнута"
    print(f"Цель «SQLite ≥ 0.5 базы»: {ratio:.2f} — {verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])
