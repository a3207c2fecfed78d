"""The process engine's one façade: every action on processes is a method of ``ProcessEngine``.

Code outside ``engine/`` (views, the API, the CLI, domain services, demo data, tests)
gets an engine from ``EngineServices.engine(session)`` — the app builds the services
once — and calls it; it never calls the modules behind it. Each method is one step in
the caller's transaction (the caller commits):

- ``deploy(bundle)``: a bundle of BPMN, DMN and forms, from files or from bytes;
- ``start``, ``complete_task``, ``cancel`` (``engine.runtime``);
- ``send_message``, ``broadcast_signal`` (``engine.messages``);
- ``fire_timers``, ``retry_incident`` (``engine.steps``);
- ``migrate``, ``migrate_all`` (``engine.migration``);
- ``decide``: ask a deployed decision table without an instance (``engine.decisions``);
- reading: ``latest_definition``, ``instance``, ``load``, and for pages and the CLI
  ``task_form``, ``task_data``, ``definitions_overview``, ``instance_list``,
  ``definition_source``, ``instance_detail``, ``instance_summary`` (``engine.monitoring``);
- for the process studio: ``check`` (every problem of a bundle, ``engine.checks``),
  ``parse``, ``diff``/``diff_parsed`` (``engine.spec_diff``), ``migration_preview``,
  ``definition``/``definition_forms``, ``instance_trace`` (``engine.trace``), ``analytics``
  (``engine.analytics``) and ``simulate`` (``engine.simulation``: the real steps on
  in-memory instances with a ``ManualClock``; nothing is written).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import undefer

from engine import (
    analytics,
    checks,
    decisions,
    definitions,
    messages,
    migration,
    migration_preview,
    monitoring,
    steps,
    trace,
)
from engine.bundle import Bundle
from engine.errors import NotDeployed, NotFound
from engine.form_store import STORED_FLAG
from engine.jsonable import to_jsonable
from engine.parsing import ParsedProcess, parse_bundle
from engine.runtime import Runtime
from engine.serialization import definition_specs
from engine.simulation.results import SimulationResult
from engine.simulation.scenario import Scenario
from engine.spec_diff import SpecDiff, diff_specs
from engine.tables import HumanTask, Incident, InstanceStatus, ProcessDefinition, ProcessForm, ProcessInstance

__all__ = ["Bundle", "ProcessEngine"]


class ProcessEngine(Runtime):
    """The engine on one session: deploy, start, complete, message, signal, cancel, retry, migrate, timers."""

    # --- definitions ----------------------------------------------------------------------

    def deploy(self, bundle: Bundle, user_id: int | None = None) -> list[definitions.DeployedProcess]:
        """Check and store ``bundle`` (``Bundle.from_paths`` for files); ``DeployError`` stores nothing.

        A process gets a new version when its spec or one of its forms changed; the forms
        are stored with the version, so running instances keep the forms they started with.
        """
        self._latest.clear()  # new versions start from now on
        return definitions.deploy(self.session, bundle, self.operations, self.clock, user_id)

    def decide(self, process_key: str, element_id: str, data: dict[str, Any]) -> decisions.Decision:
        """The DMN answer of business rule task ``element_id`` of the latest ``process_key`` for ``data``.

        Evaluated in the process's sandbox without starting an instance; nothing is written.
        """
        return decisions.decide(self, process_key, element_id, data)

    # --- starts ---------------------------------------------------------------------------

    def start_if_deployed(self, key: str, data: dict | None = None, **options: Any) -> ProcessInstance | None:
        """``start``, or None when ``key`` has no deployed version (nothing is written then).

        For callers whose work waits for people when the process is missing (the lead intake):
        asking ``latest_definition`` first cost a query on every start, while ``start`` knows the
        newest version without one (``engine.newest``)."""
        try:
            return self.start(key, data, **options)
        except NotDeployed as missing:
            if missing.key != key:  # another process the step started is missing: not ours to hide
                raise
            return None

    # --- events from outside ----------------------------------------------------------------

    def send_message(self, name: str, correlation: dict, payload: dict,
                     user_id: int | None = None) -> messages.Delivery:
        """Deliver message ``name`` to instances waiting with matching keys, or start one, or keep it."""
        return messages.send_message(self, name, correlation, payload, user_id)

    def broadcast_signal(self, name: str, payload: Any, user_id: int | None = None) -> messages.Delivery:
        """Deliver signal ``name`` to every instance waiting for it."""
        return messages.broadcast_signal(self, name, payload, user_id)

    def fire_timers(self, instance: ProcessInstance) -> None:
        """Let the instance's due timers fire and run what follows (the scheduler's step)."""
        steps.fire_timers(self, instance)

    def retry_incident(self, incident_id: int, user_id: int | None) -> Incident:
        """Run a failed task again: the incident is resolved, or records one more failed attempt."""
        return steps.retry_incident(self, incident_id, user_id)

    # --- versions -------------------------------------------------------------------------------

    def migrate(self, instance: ProcessInstance, user_id: int | None) -> migration.MigrationResult:
        """Move one instance to its process's latest version, if that is safe."""
        return migration.migrate_instance(self, instance, user_id)

    def migrate_all(self, key: str | None, user_id: int | None) -> list[migration.MigrationResult]:
        """Try every active instance (of process ``key``, or all) not on its latest version."""
        return migration.migrate_all(self, key, user_id)

    # --- reading for pages ------------------------------------------------------------------------

    def task_form(self, row: HumanTask) -> tuple[dict, dict]:
        """(JSON Schema, UI hints) of a user task's form as deployed with its instance's version.

        An empty form when the task has none; ``NotFound`` if the version lacks the form.
        """
        empty: dict = {"type": "object", "properties": {}}
        if not row.form and not row.form_ui:
            return empty, {}
        forms = self.forms_of(row.instance)
        schema = forms.get(row.form) if row.form else empty
        ui = forms.get(row.form_ui) if row.form_ui else {}
        return schema, ui

    def task_data(self, row: HumanTask) -> dict[str, Any]:
        """The data an open user task sees, for its page (empty when the process is no longer running)."""
        instance = row.instance
        if instance is None or instance.status not in InstanceStatus.ACTIVE:
            return {}
        workflow = self.load(instance)
        task = workflow.get_task_from_id(UUID(row.task_uuid))
        data = task.data if task is not None else workflow.data
        return to_jsonable(dict(data))

    def definitions_overview(self) -> list[monitoring.DefinitionSummary]:
        """Every deployed process: its versions (newest first), who deployed them, instances by status."""
        return monitoring.definitions_overview(self.session, self.directory)

    def instance_list(self, flt: monitoring.InstanceFilter, before_id: int | None,
                      limit: int) -> monitoring.InstanceList:
        """A page of instances matching ``flt``, newest first, below the cursor ``before_id``."""
        return monitoring.instance_list(self.session, self.directory, flt, before_id, limit)

    def definition_source(self, definition_id: int) -> ProcessDefinition:
        """A deployed version with its BPMN XML; ``NotFound`` for an unknown id."""
        return monitoring.definition_source(self.session, definition_id)

    def instance_detail(self, instance_id: int) -> monitoring.InstanceDetail:
        """What the instance page shows; ``NotFound`` for an unknown id."""
        return monitoring.instance_detail(self, instance_id)

    def instance_summary(self, instance_id: int) -> monitoring.InstanceSummary:
        """An instance with all its tasks and events (``crm process show``); ``NotFound`` if unknown."""
        return monitoring.instance_summary(self, instance_id)

    # --- the process studio -------------------------------------------------------------------

    def check(self, bundle: Bundle) -> list[checks.Problem]:
        """Every problem of ``bundle``, each on its element; empty when deploy would accept it."""
        return checks.check_bundle(bundle, self.operations)

    def parse(self, bundle: Bundle) -> list[ParsedProcess]:
        """The checked processes of ``bundle`` without storing anything (``DeployError`` if refused)."""
        return parse_bundle(bundle, self.operations)

    def definition(self, key: str, version: int | None = None) -> ProcessDefinition:
        """Version ``version`` (default: the latest) of ``key`` with its XML and spec; ``NotFound``."""
        stmt = select(ProcessDefinition).where(ProcessDefinition.key == key).options(
            undefer(ProcessDefinition.source_xml), undefer(ProcessDefinition.spec_json))
        stmt = stmt.where(ProcessDefinition.version == version) if version is not None else \
            stmt.order_by(ProcessDefinition.version.desc()).limit(1)
        found = self.session.scalar(stmt)
        if found is None:
            raise NotFound(f"Процесс «{key}»" + (f" версии {version}" if version else "") + " не развёрнут")
        return found

    def definition_forms(self, definition: ProcessDefinition) -> dict[str, dict]:
        """The forms stored with a version (empty for versions deployed before forms were stored)."""
        if not (definition.meta or {}).get(STORED_FLAG):
            return {}
        rows = self.session.scalars(select(ProcessForm).where(ProcessForm.definition_id == definition.id))
        return {row.name: row.content for row in rows}

    def diff(self, key: str, old_version: int | None, new_version: int) -> SpecDiff:
        """What changed from ``old_version`` (None: nothing before) to ``new_version`` of ``key``."""
        new = self.definition(key, new_version)
        old = self.definition(key, old_version) if old_version else None
        return diff_specs(old.spec_json if old else None, new.spec_json,
                          old_xml=old.source_xml if old else "", new_xml=new.source_xml,
                          old_forms=self.definition_forms(old) if old else {},
                          new_forms=self.definition_forms(new))

    def diff_parsed(self, parsed: ParsedProcess) -> SpecDiff:
        """What a not yet deployed process changes against its latest deployed version."""
        latest = self.latest_definition(parsed.key)
        old = self.definition(parsed.key, latest.version) if latest else None
        return diff_specs(old.spec_json if old else None, parsed.spec_json,
                          old_xml=old.source_xml if old else "", new_xml=parsed.source_xml,
                          old_forms=self.definition_forms(old) if old else {}, new_forms=parsed.forms)

    def migration_preview(self, parsed: ParsedProcess) -> migration_preview.MigrationPreview:
        """Which running instances of the process could move to ``parsed`` and which would stay."""
        return migration_preview.preview(self, parsed.key, parsed.spec, parsed.subprocess_specs)

    def instance_trace(self, instance_id: int) -> trace.InstanceTrace:
        """An instance on its diagram: passed, active and failed nodes, the path, every step."""
        return trace.instance_trace(self, instance_id)

    def analytics(self, flt: analytics.AnalyticsFilter) -> analytics.Analytics:
        """Per-node statistics, KPIs, bottlenecks and paths of ``flt.key`` (``engine.analytics``)."""
        return analytics.analytics(self.session, flt, self.clock.now())

    def simulate(self, key: str, scenario: Scenario, *, version: int | None = None,
                 bundle: Bundle | None = None, label: str = "") -> SimulationResult:
        """Run ``scenario`` on a version of ``key`` (or on ``bundle``, a draft) in memory.

        The engine's steps run on in-memory instances with a virtual clock and simulated
        operations; the database is only read (the spec, recorded durations and starts).
        """
        from engine.simulation.run import Simulation

        if bundle is not None:
            parsed = next((p for p in self.parse(bundle) if p.key == key), None)
            if parsed is None:
                raise NotFound(f"В черновике нет процесса «{key}»")
            spec, subprocess_specs = parsed.spec, parsed.subprocess_specs
        else:
            spec, subprocess_specs = definition_specs(self.definition(key, version))
        history = analytics.history_durations(self.session, key) if scenario.durations_from_history else None
        arrivals = None
        month = scenario.arrivals.recorded_month
        if month:
            since = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
            until = (since + timedelta(days=32)).replace(day=1)
            recorded = analytics.recorded_starts(self.session, key, since, until)
            if not recorded:
                raise NotFound(f"В {month} экземпляры «{key}» не запускались: нечего воспроизводить")
            arrivals = [scenario.start + (moment - since) for moment in recorded]
        simulation = Simulation(spec, subprocess_specs, scenario, self.services, label=label, key=key,
                                history=history, arrivals=arrivals)
        return simulation.run()
