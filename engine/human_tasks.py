"""The inbox projection: ready user tasks mirrored into ``human_task`` after every step.

Each ready user task gets one row with what the inbox needs (title, form, candidates,
assignee, due date, priority, business object) taken from the BPMN: the lane name or
the Spiff properties ``candidateRole``, ``candidateDepartment``, ``assignee`` (an
expression giving a user id or login, resolved through the engine's ``Directory`` with
the deputy rule), ``dueIn`` (an ISO duration such as ``PT4H``),
``dueAt`` (an expression giving a datetime or ISO string) and ``priority``. Rows of tasks
that stopped being ready (cancelled by a boundary event, say) are closed in the same
transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine import rows, sandbox
from engine.errors import ScriptError
from engine.ports import Directory
from engine.tables import ProcessInstance, TaskStatus
from models.platform.roles import DEPARTMENTS, ROLE_LABELS, Role

_ROLE_BY_NAME = {label.lower(): role.value for role, label in ROLE_LABELS.items()}
_ROLE_BY_NAME.update({role.value: role.value for role in Role})
_DEPT_BY_NAME = {name.lower(): code for code, name in DEPARTMENTS.items()}
_DEPT_BY_NAME.update({code: code for code in DEPARTMENTS})
_PRIORITIES = {"high": 1, "высокий": 1, "normal": 2, "обычный": 2, "low": 3, "низкий": 3}


def _properties(task_spec: Any) -> dict[str, str]:
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {})


def candidates(task_spec: Any) -> tuple[str | None, str | None]:
    """(role, department) from explicit properties, else from the lane's name."""
    props = _properties(task_spec)
    role = props.get("candidateRole")
    department = props.get("candidateDepartment")
    lane = (getattr(task_spec, "lane", None) or "").strip().lower()
    if not role and not department and lane:
        role = _ROLE_BY_NAME.get(lane)
        department = None if role else _DEPT_BY_NAME.get(lane)
    return role, department


def _to_datetime(value: Any, now: datetime) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, timedelta):
        return now + value
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)
    text = str(value)
    if text.upper().startswith("P"):
        parsed = TimerEventDefinition.parse_iso_duration(text)
        return now + TimerEventDefinition.get_timedelta_from_start(parsed, now)
    return TimerEventDefinition.get_datetime(text)


def due_date(task_spec: Any, data: dict, now: datetime) -> datetime | None:
    props = _properties(task_spec)
    if props.get("dueIn"):
        return _to_datetime(props["dueIn"].strip(), now)
    if props.get("dueAt"):
        return _to_datetime(sandbox.evaluate(props["dueAt"], data, {"now": lambda: now}), now)
    return None


def assignee(session: Session, directory: Directory, task_spec: Any, data: dict, now: datetime
             ) -> tuple[int | None, int | None]:
    """``(assignee_id, original_id)`` from the ``assignee`` expression, with the deputy rule."""
    expression = _properties(task_spec).get("assignee")
    if not expression:
        return None, None
    value = sandbox.evaluate(expression, data)
    if value is None or value == "":
        return None, None
    user_id = directory.user_id(session, value if isinstance(value, int) else str(value))
    if user_id is None:
        raise ScriptError(f"Исполнитель «{value}» не найден")
    return directory.effective_assignee(session, user_id, now.date())


def _priority(task_spec: Any) -> int:
    value = str(_properties(task_spec).get("priority", "2")).strip().lower()
    return int(value) if value in ("1", "2", "3") else _PRIORITIES.get(value, 2)


def sync(session: Session, directory: Directory, instance: ProcessInstance, workflow: Any, now: datetime,
         *, open_uuids: set[str] | None = None, defer_insert: bool = False) -> tuple[set[str], list[dict]]:
    """Insert rows for newly ready user tasks, close rows of tasks no longer ready; the ready uuids,
    and the new rows not yet inserted when ``defer_insert`` (PostgreSQL: they ride in the instance's
    UPDATE, ``engine.rows.update_instance``).

    ``open_uuids`` are the tasks with open rows when the step knows them without asking: none
    for an instance inserted in this step, the other ready user tasks of the state it loaded
    when it completes one (rows mirror the ready user tasks of every saved state). Otherwise
    they are read, uuids only. The writes are Core statements (``engine.rows``).
    """
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    if open_uuids is None:
        open_uuids = set(rows.connection(session).scalars(rows.OPEN_UUIDS, {"instance_id": instance.id}))
    created = []
    for uuid, task in ready.items():
        if uuid in open_uuids:
            continue
        spec = task.task_spec
        props = _properties(spec)
        role, department = candidates(spec)
        assignee_id, original_id = assignee(session, directory, spec, task.data, now)
        created.append(dict(
            instance_id=instance.id, task_uuid=uuid, element_id=spec.bpmn_id or spec.name,
            process_key=instance.process_key, title=spec.bpmn_name or spec.bpmn_id or spec.name,
            form=props.get("formJsonSchemaFilename"), form_ui=props.get("formUiSchemaFilename"),
            instructions=(spec.extensions or {}).get("instructionsForEndUser"),
            lane=getattr(spec, "lane", None), candidate_role=role, candidate_department=department,
            assignee_id=assignee_id, original_assignee_id=original_id,
            due_at=due_date(spec, task.data, now), priority=_priority(spec),
            business_type=instance.business_type, business_id=instance.business_id,
            status=TaskStatus.OPEN, created_at=now,
        ))
    if not defer_insert:
        rows.insert_tasks(session, created)
    rows.close_tasks(session, instance.id, open_uuids - ready.keys(), now)
    return set(ready), created if defer_insert else []
