"""The timeline sources this package declares: activities, comments, tasks, process steps, stages,
field changes and policies. «Задачи» are both kinds a deal card lists: those people set and the
process steps (inbox tasks) of the client, its deals and the leads they came from — so the card's
«Все задачи — в ленте сделки» finds every one of them.
Department requests declare theirs in ``requests_timeline``.

Each fetch returns the newest ``scope.limit`` entries of its kind at or before
``scope.before`` (one indexed query; field changes read a few batches of the audit log
until they have enough grouped changes).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.tables import HumanTask, ProcessEvent, ProcessInstance
from models.collaboration.comments import CommentMark
from models.collaboration.field_history import ACTIONS, change_lines
from models.collaboration.timeline import Entry, Scope, TimelineSource, declare_timeline_source
from models.insurance.policies import POLICY_STATUS_LABELS, Policy
from models.platform.audit import AuditLog
from models.platform.registry import Registry
from models.sales.activities import ACTIVITY_KINDS, Activity
from models.sales.deals import Deal, DealStageHistory
from models.sales.funnels import FunnelStage
from models.tasks.adhoc import STATUS_LABELS, Task
from models.tasks.comments import Comment

PROCESS_KINDS = {"instance_started": "Запущен процесс", "user_task_completed": "Выполнен шаг",
                 "instance_completed": "Процесс завершён"}


def _until(column: Any, scope: Scope, stmt: Any) -> Any:
    return stmt if scope.before is None else stmt.where(column <= scope.before)


def _about(type_column: Any, id_column: Any, scope: Scope) -> Any:
    """Rows naming the client, or one of its deals (or, for a deal's feed, that deal)."""
    deal = and_(type_column == "deal", id_column.in_(scope.deal_ids))
    if scope.deal_id is not None:
        return deal
    return or_(and_(type_column == "client", id_column == scope.client_id), deal)


def _date(value: Any) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def activities(session: Session, scope: Scope) -> list[Entry]:
    where = Activity.deal_id == scope.deal_id if scope.deal_id else Activity.client_id == scope.client_id
    stmt = scope.by_people(Activity.user_id, _until(Activity.happened_at, scope,
                                                    select(Activity).where(where)))
    rows = session.scalars(stmt.order_by(Activity.happened_at.desc(), Activity.id.desc()).limit(scope.limit))
    return [Entry(a.happened_at, "activity", a.id, ACTIVITY_KINDS.get(a.kind, a.kind), a.subject,
                  [a.outcome] if a.outcome else [], a.user_id, "deal" if a.deal_id else "client",
                  a.deal_id or a.client_id) for a in rows]


def comments(session: Session, scope: Scope) -> list[Entry]:
    stmt = select(Comment, CommentMark).outerjoin(CommentMark, CommentMark.comment_id == Comment.id) \
        .where(_about(Comment.object_type, Comment.object_id, scope))
    stmt = scope.by_people(Comment.author_id, _until(Comment.created_at, scope, stmt))
    rows = session.execute(stmt.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(scope.limit))
    entries = []
    for comment, mark in rows:
        kind = mark.label if mark else "Комментарий"
        lines = [f"Тег: {mark.tag}"] if mark and mark.tag else []
        entries.append(Entry(comment.created_at, "comment", comment.id, kind, comment.body, lines,
                             comment.author_id, comment.object_type, comment.object_id,
                             decision=bool(mark and mark.mark == "decision")))
    return entries


def tasks(session: Session, scope: Scope) -> list[Entry]:
    """Tasks people set (by whom) and process steps (by who did them, else whom they are for),
    each when it was given; a step's entries are of source ``step``, its ids being another table's."""
    stmt = select(Task).where(_about(Task.business_type, Task.business_id, scope))
    stmt = scope.by_people(Task.creator_id, _until(Task.created_at, scope, stmt))
    rows = session.scalars(stmt.order_by(Task.created_at.desc(), Task.id.desc()).limit(scope.limit))
    entries = [Entry(t.created_at, "task", t.id, "Задача", t.title, _task_lines(t.status, t.due_at),
                     t.creator_id, "task", t.id) for t in rows]
    return entries + _steps(session, scope)


def _task_lines(status: str, due_at: Any) -> list[str]:
    return [f"Статус: {STATUS_LABELS.get(status, status)}", f"Срок: {_date(due_at)}"]


def _steps(session: Session, scope: Scope) -> list[Entry]:
    lead = and_(HumanTask.business_type == "lead", HumanTask.business_id.in_(scope.lead_ids))
    who = func.coalesce(HumanTask.completed_by_id, HumanTask.assignee_id)
    stmt = select(HumanTask.id, HumanTask.title, HumanTask.status, HumanTask.due_at, HumanTask.created_at,
                  who.label("who")) \
        .where(or_(_about(HumanTask.business_type, HumanTask.business_id, scope), lead))
    stmt = scope.by_people(who, _until(HumanTask.created_at, scope, stmt))
    rows = session.execute(stmt.order_by(HumanTask.created_at.desc(), HumanTask.id.desc()).limit(scope.limit))
    return [Entry(r.created_at, "step", r.id, "Задача процесса", r.title, _task_lines(r.status, r.due_at),
                  r.who, "human_task", r.id) for r in rows]


def process_steps(session: Session, scope: Scope) -> list[Entry]:
    stmt = (select(ProcessEvent, ProcessInstance.title).join(ProcessInstance,
                                                             ProcessInstance.id == ProcessEvent.instance_id)
            .where(_about(ProcessInstance.business_type, ProcessInstance.business_id, scope),
                   ProcessEvent.kind.in_(PROCESS_KINDS)))
    stmt = scope.by_people(ProcessEvent.user_id, _until(ProcessEvent.at, scope, stmt))
    rows = session.execute(stmt.order_by(ProcessEvent.at.desc(), ProcessEvent.id.desc()).limit(scope.limit))
    entries = []
    for event, title in rows:
        step = event.element_name if event.kind == "user_task_completed" and event.element_name else title
        entries.append(Entry(event.at, "process", event.id, "Шаг процесса",
                             f"{PROCESS_KINDS[event.kind]}: {step}",
                             [f"Процесс: {title}"] if step != title else [], event.user_id,
                             "process", event.instance_id))
    return entries


def stages(session: Session, scope: Scope) -> list[Entry]:
    """The deals' stage moves; each stage's name comes with its move (not a statement per stage)."""
    stmt = select(DealStageHistory.id, DealStageHistory.deal_id, DealStageHistory.entered_at,
                  DealStageHistory.user_id, FunnelStage.name, Deal.title) \
        .join(Deal, Deal.id == DealStageHistory.deal_id) \
        .join(FunnelStage, FunnelStage.id == DealStageHistory.stage_id) \
        .where(DealStageHistory.deal_id.in_(scope.deal_ids))
    stmt = scope.by_people(DealStageHistory.user_id, _until(DealStageHistory.entered_at, scope, stmt))
    rows = session.execute(stmt.order_by(DealStageHistory.entered_at.desc(), DealStageHistory.id.desc())
                           .limit(scope.limit))
    return [Entry(entered_at, "stage", move_id, "Этап сделки", f"«{title}»: этап «{stage}»", [],
                  user_id, "deal", deal_id) for move_id, deal_id, entered_at, user_id, stage, title in rows]


def _audit_where(scope: Scope) -> Any:
    if isinstance(scope.deal_ids, list):
        deals = AuditLog.entity_id.in_([str(i) for i in scope.deal_ids])
    else:
        ids = select(Deal.id.cast(AuditLog.entity_id.type)).where(Deal.id.in_(scope.deal_ids))
        deals = AuditLog.entity_id.in_(ids)
    deal = and_(AuditLog.entity_type == "deal", deals)
    if scope.deal_id is not None:
        return deal
    return or_(and_(AuditLog.entity_type == "client", AuditLog.entity_id == str(scope.client_id)), deal)


def field_changes(session: Session, scope: Scope) -> list[Entry]:
    """One entry per change (rows of one flush: same time, actor, record and action)."""
    entries: list[Entry] = []
    last_id: int | None = None
    pending: list[AuditLog] = []
    while len(entries) < scope.limit:
        stmt = scope.by_people(AuditLog.user_id, _until(AuditLog.at, scope,
                                                        select(AuditLog).where(_audit_where(scope))))
        if last_id is not None:
            stmt = stmt.where(AuditLog.id < last_id)
        batch = list(session.scalars(stmt.order_by(AuditLog.id.desc()).limit(500)))
        if not batch:
            break
        last_id = batch[-1].id
        pending += batch
        groups = [list(g) for _, g in groupby(pending, key=lambda r: (r.entity_type, r.entity_id, r.at,
                                                                      r.user_id,
                                                                        r.action))]
        pending = groups.pop() if len(batch) == 500 else []  # the last group may go on in the next batch
        for rows in groups:
            entry = _change_entry(session, rows)
            if entry is not None:
                entries.append(entry)
    if pending:
        entry = _change_entry(session, pending)
        if entry is not None:
            entries.append(entry)
    return entries[:scope.limit]


def _change_entry(session: Session, rows: list[AuditLog]) -> Entry | None:
    first = rows[0]
    lines = change_lines(session, first.entity_type, first.action,
                         [(r.field, r.old_value, r.new_value) for r in rows])
    if not lines:
        return None
    what = "Клиент" if first.entity_type == "client" else "Сделка"
    title = f"{what}: {ACTIONS[first.action].lower()}"
    return Entry(first.at, "fields", min(r.id for r in rows), "Изменение полей", title, lines, first.user_id,
                 first.entity_type, int(first.entity_id))


def policies(session: Session, scope: Scope) -> list[Entry]:
    where = Policy.deal_id == scope.deal_id if scope.deal_id else Policy.client_id == scope.client_id
    rows: Any = session.scalars(_until(Policy.created_at, scope, select(Policy).where(where))
                           .order_by(Policy.created_at.desc(), Policy.id.desc()).limit(scope.limit)) \
        if scope.people is None else []
    return [Entry(p.created_at, "document", p.id, "Документ", f"Полис № {p.number} ({p.product})",
                  [f"Статус: {POLICY_STATUS_LABELS.get(p.status, p.status)}",
                   f"Срок: {_date(p.starts_on)} — {_date(p.ends_on)}"], None, "policy", p.id) for p in rows]


def register(registry: Registry) -> None:
    for source in (
        TimelineSource("activity", "Звонки, встречи, письма, заметки", activities),
        TimelineSource("comment", "Комментарии и решения", comments),
        TimelineSource("task", "Задачи", tasks),
        TimelineSource("process", "Шаги процессов", process_steps),
        TimelineSource("stage", "Этапы сделок", stages),
        TimelineSource("fields", "Изменения полей", field_changes),
        TimelineSource("document", "Документы", policies),
    ):
        declare_timeline_source(registry, source)
