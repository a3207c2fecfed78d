"""The nightly audit: problems grouped per owner into one fix task, closed when fixed, with history.

``run_audit`` checks every client and every open deal against the active rules, keeps one
``quality_issue`` row per (record, rule) while it fails (``fixed_at`` set when it passes
again: the history of fixes), and per owner one open ad-hoc task «Исправить данные» listing
the records and their problems — created when the owner has problems, its text brought up
to date on each run, and closed (done) when nothing is left. It runs from the timer-start
process ``processes/data_quality_audit.bpmn`` (operation ``quality.audit``) and takes a
snapshot per owner for the dashboard's trend.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.clients.cards import Client
from models.identity.users import User
from models.platform.db import Base, UTCDateTime
from models.quality.checks import Problem, client_problems, deal_problems
from models.quality.rules import active_rules
from models.sales.deals import Deal, DealStatus
from models.tasks.adhoc import Task, TaskInput, TaskState, create_task, set_status

TASK_TITLE = "Исправить данные клиентов и сделок"
GRACE = timedelta(hours=4)


class QualityIssue(Base):
    """One failing rule on one record while it fails; ``fixed_at`` when the audit found it fixed."""

    __tablename__ = "quality_issue"
    __table_args__ = (Index("ix_quality_issue_open", "owner_id", "fixed_at"),
                      Index("ix_quality_issue_record", "record", "record_id", "rule_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    record: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    rule_id: Mapped[int] = mapped_column(ForeignKey("quality_rule.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(300))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fixed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QualitySnapshot(Base):
    """What one audit found per owner: records checked, records with problems, the average score."""

    __tablename__ = "quality_snapshot"
    __table_args__ = (Index("ix_quality_snapshot_day", "taken_at", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    with_problems: Mapped[int] = mapped_column(Integer)
    problems: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class Found:
    record: str
    record_id: int
    label: str
    owner_id: int | None
    problems: list[Problem]


def _findings(session: Session) -> tuple[list[Found], dict[int | None, int]]:
    client_rules, deal_rules = active_rules(session, "client"), active_rules(session, "deal")
    found: list[Found] = []
    checked: dict[int | None, int] = defaultdict(int)
    for client in session.scalars(select(Client).where(Client.status != "archived").order_by(Client.id)):
        checked[client.owner_id] += 1
        problems = client_problems(session, client, client_rules)
        if problems:
            found.append(Found("client", client.id, f"Клиент «{client.display_name}»", client.owner_id,
                               problems))
    for deal in session.scalars(select(Deal).where(Deal.status == DealStatus.OPEN).order_by(Deal.id)):
        checked[deal.owner_id] += 1
        problems = deal_problems(session, deal, deal_rules)
        if problems:
            found.append(Found("deal", deal.id, f"Сделка «{deal.title}»", deal.owner_id, problems))
    return found, checked


def _description(items: list[Found]) -> str:
    lines = ["Аудит качества данных нашёл незаполненные или неверные поля. Исправьте карточки — задача "
             "закроется сама после следующей проверки.", ""]
    for item in items:
        lines.append(f"{item.label} (№{item.record_id}): " + "; ".join(p.message for p in item.problems))
    return "\n".join(lines)


def _open_task(session: Session, owner_id: int) -> Task | None:
    return session.scalar(select(Task).where(Task.assignee_id == owner_id, Task.title == TASK_TITLE,
                                             Task.is_open.is_(True)).order_by(Task.id.desc()).limit(1))


@dataclass(frozen=True)
class AuditResult:
    owners_with_tasks: int
    tasks_created: int
    tasks_closed: int
    open_issues: int
    fixed_issues: int


def run_audit(session: Session, now: datetime) -> AuditResult:
    found, checked = _findings(session)
    by_owner: dict[int, list[Found]] = defaultdict(list)
    for item in found:
        if item.owner_id is not None:
            by_owner[item.owner_id].append(item)
    current = {(f.record, f.record_id, p.rule_id): (f, p) for f in found for p in f.problems}
    open_issues = {(i.record, i.record_id, i.rule_id): i
                   for i in session.scalars(select(QualityIssue).where(QualityIssue.fixed_at.is_(None)))}
    fixed = 0
    for key, issue in open_issues.items():
        if key not in current:
            issue.fixed_at = now
            fixed += 1
    created = 0
    tasks: dict[int, Task] = {}
    for owner_id, items in by_owner.items():
        task = _open_task(session, owner_id)
        if task is None:
            task = create_task(session, TaskInput(title=TASK_TITLE, description=_description(items),
                                                  assignee_id=owner_id, due_at=now + timedelta(days=2)),
                               None, now, GRACE)
            created += 1
        else:
            task.description = _description(items)
            task.updated_at = now
        tasks[owner_id] = task
    _track_issues(session, now, current, open_issues, tasks)
    closed = _close_done(session, now, set(by_owner))
    _snapshot(session, now, checked, found)
    session.flush()
    return AuditResult(len(by_owner), created, closed, len(current), fixed)


def _track_issues(session: Session, now: datetime, current: dict, open_issues: dict[tuple, QualityIssue],
                  tasks: dict[int, Task]) -> None:
    """A new issue for each new failing (record, rule); known ones follow their owner's task."""
    for key, (item, problem) in current.items():
        issue = open_issues.get(key)
        task = tasks.get(item.owner_id) if item.owner_id is not None else None
        if issue is None:
            session.add(QualityIssue(record=item.record, record_id=item.record_id, rule_id=problem.rule_id,
                                     owner_id=item.owner_id, message=problem.message,
                                     task_id=task.id if task else None, found_at=now))
        elif task is not None:
            issue.task_id, issue.owner_id = task.id, item.owner_id


def _close_done(session: Session, now: datetime, owners_with_problems: set[int]) -> int:
    """Close the fix tasks of owners with nothing left to fix (done, on the owner's behalf)."""
    closed = 0
    for task in session.scalars(select(Task).where(Task.title == TASK_TITLE, Task.is_open.is_(True))):
        if task.assignee_id not in owners_with_problems:
            owner = session.get(User, task.assignee_id) if task.assignee_id else None
            if owner is not None:
                set_status(session, task, TaskState.DONE, owner, now, GRACE)
                closed += 1
    return closed


def _snapshot(session: Session, now: datetime, checked: dict[int | None, int], found: list[Found]) -> None:
    with_problems: dict[int | None, int] = defaultdict(int)
    problems: dict[int | None, int] = defaultdict(int)
    for item in found:
        with_problems[item.owner_id] += 1
        problems[item.owner_id] += len(item.problems)
    departments = {uid: dep for uid, dep in session.execute(select(User.id, User.department_id))}
    for owner_id, records in checked.items():
        session.add(QualitySnapshot(taken_at=now, owner_id=owner_id,
                                    department_id=departments.get(owner_id or 0), records=records,
                                    with_problems=with_problems[owner_id],
                                    problems=problems[owner_id]))
