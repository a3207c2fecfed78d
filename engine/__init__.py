"""The process engine: BPMN/DMN on SpiffWorkflow, persisted in the CRM database.

Only this package imports SpiffWorkflow. Public entry points:
``definitions.deploy`` (files to versions), ``runtime.ProcessEngine`` (start, complete,
cancel), ``steps`` (timers, messages, incident retry), ``messages`` (send/broadcast),
``jobs`` (scheduler work), ``migration``. ``register`` declares the engine's jobs, its
built-in operations and the tables that name business objects.
"""

from __future__ import annotations

from engine import clock_bridge  # noqa: F401  (SpiffWorkflow timers read the engine clock)
from models.platform.jobs import JobContext
from models.platform.registry import Registry


def _timer_starts(context: JobContext) -> int:
    from engine.jobs import start_scheduled

    return start_scheduled(context.session_factory, context.clock, context.settings.forms_dir,
                           context.settings)


def _timers(context: JobContext) -> int:
    from engine.jobs import fire_due_timers

    return fire_due_timers(context.session_factory, context.clock, context.settings.forms_dir,
                           context.settings)


def _incident_retries(context: JobContext) -> int:
    from engine.jobs import retry_due_incidents

    return retry_due_incidents(context.session_factory, context.clock, context.settings.forms_dir,
                               context.settings)


def register(registry: Registry) -> None:
    from engine import builtins
    from engine.tables import HumanTask, ProcessInstance

    builtins.register(registry)
    registry.reference(ProcessInstance, "business_type", "business_id")
    registry.reference(HumanTask, "business_type", "business_id")
    registry.job("timer_starts", _timer_starts)
    registry.job("timers", _timers)
    registry.job("incident_retries", _incident_retries)
