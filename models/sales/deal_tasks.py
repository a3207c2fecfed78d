"""The tasks a deal card lists: the deal's process steps, those of the lead it came from, and the
tasks people set about the deal (the card's own «Задача по сделке»), as one bounded list.

Before, the card listed the process steps only — a task set from the card never showed on it —
and all of them, however many years of steps a deal had. Now both kinds come in one statement (a
UNION ALL over the two tables' business indexes): open ones first, soonest due first (no due
date last), then the closed ones newest first; ``CARD_TASKS`` of them, and whether more exist —
the deal's «Лента» (its tasks) has the rest of those set about the deal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, String, and_, bindparam, case, literal, or_, select, union_all
from sqlalchemy.orm import Session

from engine.tables import HumanTask, TaskStatus
from models.sales.deals import Deal
from models.tasks.adhoc import STATUS_LABELS, Task

CARD_TASKS = 20


@dataclass(frozen=True)
class CardTask:
    """One line of the card's task list; ``kind`` is the object type its page is found by."""

    kind: str  # "human_task" (a process step) or "task" (set by a person)
    id: int
    title: str
    status: str  # as the inbox words it: «Открыта», «В работе», «Выполнена», …
    is_open: bool
    due_at: datetime | None


@dataclass(frozen=True)
class DealTasks:
    rows: list[CardTask]
    more: bool  # older ones than the card shows exist


def deal_tasks(session: Session, deal: Deal, limit: int = CARD_TASKS) -> DealTasks:
    """The card's tasks of ``deal`` (see the module docstring), in one statement."""
    params = {"deal_id": deal.id, "lead_id": deal.lead_id, "wanted": limit + 1}
    rows = session.execute(_statement(), params).all()
    tasks = [CardTask(r.kind, r.id, r.title, STATUS_LABELS.get(r.status, r.status), r.closed == 0, r.due_at)
             for r in rows[:limit]]
    return DealTasks(tasks, len(rows) > limit)


@cache
def _statement() -> Select:
    """Built once with bound parameters (``deal_id``, ``lead_id`` — None for a deal without a lead,
    which then matches no lead's steps — and ``wanted``): building the UNION cost the card 0.8 ms
    of CPU, running it a tenth of that."""
    deal_id, lead_id = bindparam("deal_id", type_=Integer), bindparam("lead_id", type_=Integer)
    about = or_(and_(HumanTask.business_type == "deal", HumanTask.business_id == deal_id),
                and_(HumanTask.business_type == "lead", HumanTask.business_id == lead_id))
    steps = select(literal("human_task", String).label("kind"), HumanTask.id, HumanTask.title,
                   HumanTask.status, case((HumanTask.status == TaskStatus.OPEN, 0), else_=1).label("closed"),
                   HumanTask.due_at, HumanTask.created_at).where(about)
    set_by_people = select(literal("task", String), Task.id, Task.title, Task.status,
                           case((Task.is_open.is_(True), 0), else_=1), Task.due_at, Task.created_at) \
        .where(Task.business_type == "deal", Task.business_id == deal_id)
    both = union_all(steps, set_by_people).subquery()
    # Open ones by due date, none last; closed ones newest first. Sorted outside the UNION: SQLite
    # orders a compound SELECT by its result columns only.
    no_due = case((and_(both.c.closed == 0, both.c.due_at.is_(None)), 1), else_=0)
    due_if_open = case((both.c.closed == 0, both.c.due_at))
    newest = (both.c.created_at.desc(), both.c.id.desc())
    ordered = select(both).order_by(both.c.closed, no_due, due_if_open, *newest)
    return ordered.limit(bindparam("wanted", type_=Integer))
