"""What a failed task leaves behind: an open incident per task, with its retry schedule.

A step whose task fails (a script error, a service that answered badly) records the failure as
an ``Incident`` on the task and puts the instance in «error». A transient failure of an operation
(``OperationError.transient``: a timeout, a 5xx) is retried by the scheduler with exponential
backoff — ``retry_backoff_base`` seconds of the task (``BACKOFF_SECONDS`` by default) doubled per
attempt, up to its ``retries`` (``DEFAULT_TRANSIENT_ATTEMPTS``); anything else waits for a person.
A repeated failure of the same task counts on its open incident instead of opening another.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import EngineError, OperationError
from engine.tables import Incident, InstanceStatus, ProcessInstance

DEFAULT_TRANSIENT_ATTEMPTS = 3
BACKOFF_SECONDS = 30


def open_incidents(session: Session, instance: ProcessInstance) -> list[Incident]:
    """The instance's incidents nobody has resolved yet."""
    return list(session.scalars(select(Incident).where(
        Incident.instance_id == instance.id, Incident.status == "open")))


def record(session: Session, instance: ProcessInstance, exc: WorkflowTaskException,
           now: datetime) -> tuple[Any, dict]:
    """Open (or count on) the failed task's incident and put ``instance`` in «error»; the failed
    task's spec and the event's detail, for the caller's ``incident`` event."""
    task = exc.task
    cause = exc.__cause__
    transient = isinstance(cause, OperationError) and cause.transient
    message = cause.message if isinstance(cause, EngineError) else (
        getattr(exc, "error_msg", None) or str(exc).split("\n")[0]).strip()
    spec = task.task_spec if task is not None else None
    element = getattr(spec, "bpmn_id", None) or (spec.name if spec else "?")
    uuid = str(task.id) if task is not None else ""
    incident = session.scalar(select(Incident).where(
        Incident.instance_id == instance.id, Incident.task_uuid == uuid, Incident.status == "open"))
    retries = getattr(spec, "retries", None)
    if incident is None:
        incident = Incident(instance_id=instance.id, element_id=element, task_uuid=uuid,
                            element_name=getattr(spec, "bpmn_name", None), attempts=0, created_at=now)
        session.add(incident)
    incident.attempts = (incident.attempts or 0) + 1
    incident.error = message
    incident.transient = transient
    incident.max_attempts = (retries or DEFAULT_TRANSIENT_ATTEMPTS) if transient else 1
    if transient and incident.attempts < incident.max_attempts:
        base = getattr(spec, "retry_backoff_base", None) or BACKOFF_SECONDS
        incident.next_retry_at = now + timedelta(seconds=base * 2 ** (incident.attempts - 1))
    else:
        incident.next_retry_at = None
    instance.status = InstanceStatus.ERROR
    return spec, {"error": message, "attempt": incident.attempts, "transient": transient}
