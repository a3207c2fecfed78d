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
  ``definition_source``, ``instance_detail``, ``instance_summary`` (``engine.monitoring``).

A simulation will be one more method here: the same steps on an ``EngineServices`` with
a ``ManualClock``, on a session that is rolled back.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from engine import decisions, definitions, messages, migration, monitoring, steps
from engine.bundle import Bundle
from engine.jsonable import to_jsonable
from engine.runtime import Runtime
from engine.tables import HumanTask, Incident, InstanceStatus, ProcessDefinition, ProcessInstance

__all__ = ["Bundle", "ProcessEngine"]


class ProcessEngine(Runtime):
    """The engine on one session: deploy, start, complete, message, signal, cancel, retry, migrate, timers."""

    # --- definitions ----------------------------------------------------------------------

    def deploy(self, bundle: Bundle, user_id: int | None = None) -> list[definitions.DeployedProcess]:
        """Check and store ``bundle`` (``Bundle.from_paths`` for files); ``DeployError`` stores nothing.

        A process gets a new version when its spec or one of its forms changed; the forms
        are stored with the version, so running instances keep the forms they started with.
        """
        return definitions.deploy(self.session, bundle, self.operations, self.clock, user_id)

    def latest_definition(self, key: str) -> ProcessDefinition | None:
        """The version new instances of ``key`` start on; None when the process is not deployed."""
        return definitions.latest_definition(self.session, key)

    def decide(self, process_key: str, element_id: str, data: dict[str, Any]) -> decisions.Decision:
        """The DMN answer of business rule task ``element_id`` of the latest ``process_key`` for ``data``.

        Evaluated in the process's sandbox without starting an instance; nothing is written.
        """
        return decisions.decide(self, process_key, element_id, data)

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
