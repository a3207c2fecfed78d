"""A process instance's steps around one of its tasks: those done before it and those opened after.

The process task page shows the completed steps with the forms they were completed with, and
after completing a task the user is told what happens next; both read the ``human_task``
projection of the instance, never workflow state.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, TaskStatus


def earlier_steps(session: Session, instance_id: int, before_id: int | None = None) -> list[HumanTask]:
    """Completed steps of the same process, oldest first (their form data is on the row)."""
    stmt = select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.COMPLETED
    )
    if before_id is not None:
        stmt = stmt.where(HumanTask.id != before_id)
    return list(session.scalars(stmt.order_by(HumanTask.completed_at, HumanTask.id)))


def next_steps(session: Session, instance_id: int, after_id: int) -> list[HumanTask]:
    """Open tasks of the process created after task ``after_id``: what happens next."""
    return list(
        session.scalars(
            select(HumanTask)
            .where(
                HumanTask.instance_id == instance_id,
                HumanTask.status == TaskStatus.OPEN,
                HumanTask.id > after_id,
            )
            .order_by(HumanTask.id)
        )
    )
