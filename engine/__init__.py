"""The process engine: BPMN/DMN on SpiffWorkflow, persisted in the CRM database.

Only this package imports SpiffWorkflow, and it imports nothing above ``models.platform``.
The one entry point is the façade ``engine.api.ProcessEngine`` (deploy a ``Bundle``,
start, complete, message, signal, cancel, retry, migrate, fire timers), obtained from
``engine.ports.EngineServices`` — the clock, settings, user directory and operations the
application hands in once. ``jobs`` holds the scheduler's work. ``register`` declares the
engine's jobs, its built-in operations and the tables that name business objects.
"""

from __future__ import annotations

from engine import clock_bridge  # noqa: F401  (SpiffWorkflow timers read the engine clock)
from engine.ports import EngineServices
from engine.spiff_logging import quiet_unconfigured_loggers
from models.platform.jobs import JobContext
from models.platform.registry import Registry

quiet_unconfigured_loggers()  # SpiffWorkflow's log extras walk the task tree when left NOTSET


def _services(context: JobContext) -> EngineServices:
    """The engine's services from what the packages declared (operations, the user directory)."""
    return EngineServices.from_registry(context.registry, context.clock, context.settings)


def _timer_starts(context: JobContext) -> int:
    from engine.jobs import start_scheduled

    return start_scheduled(context.session_factory, _services(context))


def _timers(context: JobContext) -> int:
    from engine.jobs import fire_due_timers

    return fire_due_timers(context.session_factory, _services(context))


def _incident_retries(context: JobContext) -> int:
    from engine.jobs import retry_due_incidents

    return retry_due_incidents(context.session_factory, _services(context))


def register(registry: Registry) -> None:
    """The engine's scheduler jobs, built-in operations and business-object references."""
    from engine import builtins
    from engine.tables import HumanTask, ProcessInstance

    builtins.register(registry)
    registry.reference(ProcessInstance, "business_type", "business_id")
    registry.reference(HumanTask, "business_type", "business_id")
    registry.job("timer_starts", _timer_starts)
    registry.job("timers", _timers)
    registry.job("incident_retries", _incident_retries)
