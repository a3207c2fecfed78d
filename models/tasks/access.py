"""Who may see and work process tasks (``human_task``) and ad-hoc tasks: one set of rules.

Declared in ``register`` (``Registry.record_rule`` / ``scope_rule``).
"""

from __future__ import annotations

from sqlalchemy import Select

from engine.tables import HumanTask
from models.identity.users import User
from models.platform.clock import current_clock
from models.platform.registry import Registry
from models.platform.roles import Role
from models.tasks.adhoc import Task

_SUPERVISORS = frozenset({Role.SENIOR_MANAGER, Role.HEAD})


def _department_code(user: User) -> str | None:
    return user.department.code if user.department is not None else None


def task_queue_department(record: HumanTask | Task) -> str | None:
    return record.candidate_department if isinstance(record, HumanTask) else record.department


def in_task_queue(user: User, record: HumanTask | Task) -> bool:
    """Unassigned and meant for the user's role or department: the user may claim it."""
    if record.assignee_id is not None:
        return False
    if isinstance(record, HumanTask) and record.candidate_role and record.candidate_role == user.role:
        return True
    department = task_queue_department(record)
    return department is not None and department == _department_code(user)


def _stands_in(user: User, record: HumanTask | Task) -> bool:
    """The user is the deputy of the task's assignee *during a recorded absence or a standing
    delegation* (sees and works their tasks then); otherwise being named deputy gives no rights."""
    assignee = record.assignee
    if assignee is None or assignee.deputy_id != user.id:
        return False
    today = current_clock().now().date()
    return assignee.is_absent_on(today) or assignee.delegates_on(today)


def _supervises(user: User, record: HumanTask | Task) -> bool:
    role = Role(user.role)
    if role == Role.HEAD:
        return True
    if role != Role.SENIOR_MANAGER:
        return False
    if record.assignee is not None:
        return record.assignee.department_id == user.department_id
    return task_queue_department(record) == _department_code(user)


def _has_queue(record: HumanTask | Task) -> bool:
    if isinstance(record, HumanTask):
        return bool(record.candidate_role or record.candidate_department)
    return bool(record.department)


def _task_rule(user: User, record: HumanTask | Task, action: str) -> bool:
    mine = record.assignee_id == user.id
    created = isinstance(record, Task) and record.creator_id == user.id
    if action == "view":
        return (mine or record.original_assignee_id == user.id or created
                or record.completed_by_id == user.id or in_task_queue(user, record)
                or _stands_in(user, record) or _supervises(user, record))
    if action == "complete":
        return mine or _stands_in(user, record) or in_task_queue(user, record)
    if action == "claim":
        return in_task_queue(user, record)
    if action == "release":
        return mine and _has_queue(record)
    if action in ("reassign", "delegate", "edit"):
        return mine or created or _stands_in(user, record) or _supervises(user, record)
    return False


def _human_task_scope(user: User, stmt: Select) -> Select:
    from sqlalchemy import or_

    return stmt.where(or_(HumanTask.assignee_id == user.id, HumanTask.original_assignee_id == user.id,
                          HumanTask.candidate_role == user.role,
                          HumanTask.candidate_department == _department_code(user)))


def _task_scope(user: User, stmt: Select) -> Select:
    from sqlalchemy import or_

    return stmt.where(or_(Task.assignee_id == user.id, Task.original_assignee_id == user.id,
                          Task.creator_id == user.id, Task.department == _department_code(user)))


def register(registry: Registry) -> None:
    registry.record_rule(HumanTask, _task_rule)
    registry.record_rule(Task, _task_rule)
    registry.scope_rule(HumanTask, _human_task_scope)
    registry.scope_rule(Task, _task_scope)
