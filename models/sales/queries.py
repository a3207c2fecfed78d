"""Read-side queries of leads and deals: filtered lists with flags, a deal's tasks, workload.

Lists are always narrowed by ``models.platform.permissions.scoped`` first, so a page or an API
call can never show more than the user may see.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from engine.tables import HumanTask, ProcessInstance, TaskStatus
from models.clients.cards import Client
from models.identity.users import User
from models.platform.permissions import scoped
from models.platform.roles import Role
from models.sales.deal_api_rows import ApiDeal, api_deals
from models.sales.deal_rows import DealRow, deal_rows
from models.sales.deal_search import page_ids, search_condition
from models.sales.deals import (
    NO_ACTIVITY_DAYS,
    OFFER_EXPIRY_DAYS,
    Deal,
    DealStageHistory,
    DealStatus,
    deal_flags,
)
from models.sales.funnels import Funnel, FunnelStage
from models.sales.leads import Lead, LeadStatus
from models.sales.routing import SalesTeamMember
from models.tasks.adhoc import Task

LEAD_PAGE = 50


def _leads_where(user: User, *, status: str | None = None, source: str | None = None,
                 assigned_to_id: int | None = None) -> Select:
    """Leads the user may see with the lists' filters: one place for the list and the home section."""
    stmt = scoped(user, Lead)
    if status:
        stmt = stmt.where(Lead.status == status)
    if source:
        stmt = stmt.where(Lead.source == source)
    if assigned_to_id:
        stmt = stmt.where(Lead.assigned_to_id == assigned_to_id)
    return stmt


def list_leads(session: Session, user: User, *, status: str | None = None, source: str | None = None,
               assigned_to_id: int | None = None, before_id: int | None = None,
               limit: int = 200) -> list[Lead]:
    """Leads the user may see, newest first: one keyset page below ``before_id`` (ask
    ``limit + 1`` to learn whether more follow), with their managers loaded in one query."""
    stmt = _leads_where(user, status=status, source=source, assigned_to_id=assigned_to_id)
    if before_id is not None:
        stmt = stmt.where(Lead.id < before_id)
    return list(session.scalars(stmt.order_by(Lead.id.desc()).limit(limit)
                                .options(selectinload(Lead.assigned_to))))


def leads_to_contact(session: Session, user: User, limit: int) -> tuple[list[Lead], int]:
    """The newest ``limit`` leads assigned to ``user`` and waiting for contact, with how many wait in
    all: the home's section names a handful and counts the rest, however many leads pile up (it
    shows no manager, so none is loaded)."""
    waiting = _leads_where(user, status=LeadStatus.ASSIGNED, assigned_to_id=user.id)
    rows = list(session.scalars(waiting.order_by(Lead.id.desc()).limit(limit)))
    if len(rows) < limit:
        return rows, len(rows)
    count = session.scalar(select(func.count()).select_from(waiting.with_only_columns(Lead.id).subquery()))
    return rows, count or 0


@dataclass
class DealFilter:
    funnel: str | None = None
    stage: str | None = None
    status: str | None = None
    owner_id: int | None = None
    client_id: int | None = None
    flag: str | None = None
    q: str | None = None
    before_id: int | None = None  # keyset cursor: deals older (lower id) than this one


def flag_condition(session: Session, flag: str, now: datetime) -> ColumnElement[bool]:
    """SQL for «deal has ``flag`` at ``now``», matching ``models.sales.deals.deal_flags``."""
    is_open = Deal.status == DealStatus.OPEN
    if flag == "no_activity":
        last = func.coalesce(Deal.last_activity_at, Deal.created_at)
        return is_open & (last < now - timedelta(days=NO_ACTIVITY_DAYS))
    if flag == "offer_expiring":
        today = now.date()
        return is_open & Deal.offer_expires_on.between(today, today + timedelta(days=OFFER_EXPIRY_DAYS - 1))
    if flag == "registry":
        return Deal.client_id.in_(select(Client.id).where(Client.registry_flag))
    if flag == "stuck":
        # One condition per stage keeps it portable (no date arithmetic in SQL); funnels are small.
        stages = session.execute(select(FunnelStage.id, FunnelStage.stuck_after_days)
                                 .where(FunnelStage.stuck_after_days.is_not(None))).all()
        late = [(Deal.stage_id == sid) & (Deal.stage_entered_at < now - timedelta(days=cast(int, days)))
                for sid, days in stages]  # stuck_after_days IS NOT NULL in the query
        return is_open & or_(false(), *late)
    return false()


PAGE_SIZE = 50


def _filtered_deals(session: Session, user: User, now: datetime, filters: DealFilter) -> Select:
    """``scoped`` deals matching ``filters`` (not the cursor), as a statement to page or aggregate."""
    stmt = scoped(user, Deal)
    if filters.funnel:
        stmt = stmt.join(Funnel, Deal.funnel_id == Funnel.id).where(Funnel.code == filters.funnel)
    if filters.stage:
        stmt = stmt.join(FunnelStage, Deal.stage_id == FunnelStage.id).where(
            FunnelStage.code == filters.stage)
    if filters.status:
        stmt = stmt.where(Deal.status == filters.status)
    if filters.owner_id:
        stmt = stmt.where(Deal.owner_id == filters.owner_id)
    if filters.client_id:
        stmt = stmt.where(Deal.client_id == filters.client_id)
    if filters.q:
        stmt = stmt.where(search_condition(session, filters.q))
    if filters.flag:
        stmt = stmt.where(flag_condition(session, filters.flag, now))
    return stmt


# What the API's deal shows beyond its columns: the client's registry flag, the stage and funnel, the
# time in each stage and the loss reason (the list page, the board and the home read plain rows
# instead, ``models.sales.deal_rows``).
_API_LOADS = (
    joinedload(Deal.client).load_only(Client.full_name, Client.short_name, Client.registry_flag),
    joinedload(Deal.stage, innerjoin=True), joinedload(Deal.funnel, innerjoin=True),
    selectinload(Deal.history).joinedload(DealStageHistory.stage), joinedload(Deal.loss_reason),
)


def _page_condition(session: Session, user: User, now: datetime, filters: DealFilter,
                    limit: int) -> ColumnElement[bool] | None:
    """Which deals make one keyset page (newest first, below ``filters.before_id``) of what the
    user may see matching ``filters``: their ids, or None when a search finds nothing."""
    if filters.q and filters.q.strip():
        # title and client halves, each through its index (``deal_search``), then the page's rows
        base = _filtered_deals(session, user, now, replace(filters, q=None))
        ids = page_ids(session, base, filters.q, limit, filters.before_id)
        if isinstance(ids, list):
            return Deal.id.in_(ids) if ids else None
        return Deal.id.in_(ids.scalar_subquery())
    stmt = _filtered_deals(session, user, now, filters)
    if filters.before_id is not None:
        stmt = stmt.where(Deal.id < filters.before_id)
    page = stmt.with_only_columns(Deal.id).order_by(Deal.id.desc()).limit(limit)
    return Deal.id.in_(page.scalar_subquery())


def list_deals(session: Session, user: User, now: datetime, filters: DealFilter,
               limit: int = PAGE_SIZE) -> list[tuple[Deal, list[str]]]:
    """One keyset page of the deals the user may see that match ``filters`` (see ``_page_condition``),
    each with its current flags, loaded whole as the API shows them (the stage history and loss
    reason in two statements for the page, not two per deal). Ask ``limit + 1`` to learn if more follow."""
    chosen = _page_condition(session, user, now, filters, limit)
    if chosen is None:
        return []
    stmt = select(Deal).where(chosen).options(*_API_LOADS).order_by(Deal.id.desc())
    return [(d, deal_flags(d, now)) for d in session.scalars(stmt)]


def list_api_deals(session: Session, user: User, now: datetime, filters: DealFilter,
                   limit: int = PAGE_SIZE) -> list[ApiDeal]:
    """The same page as ``list_deals`` as read-only records of every field the JSON API shows, in two
    statements (``models.sales.deal_api_rows``); the API's schema adds the flags, so none are made here."""
    chosen = _page_condition(session, user, now, filters, limit)
    return api_deals(session, chosen) if chosen is not None else []


def list_rows(session: Session, user: User, now: datetime, filters: DealFilter,
              limit: int = PAGE_SIZE) -> list[tuple[DealRow, list[str]]]:
    """The same page as ``list_deals`` as read-only rows: what the deals list shows, in one statement."""
    chosen = _page_condition(session, user, now, filters, limit)
    return deal_rows(session, chosen, now) if chosen is not None else []


def quiet_since(now: datetime) -> datetime:
    """The moment before which an open deal without activity carries «no_activity»."""
    return now - timedelta(days=NO_ACTIVITY_DAYS)


def flagged_deals(session: Session, user: User, now: datetime, flags: tuple[str, ...], limit: int,
                  open_deals: ColumnElement[int] | None = None,
                  ) -> tuple[list[tuple[DealRow, list[str]]], int]:
    """The newest ``limit`` of ``user``'s own open deals carrying any of ``flags`` at ``now`` (each
    with its flags), and how many carry one.

    The rows: the flags asked in SQL (``flag_condition``) on a walk of the owner's deals by id
    (``ix_deal_owner_newest``) that stops at the ``limit``-th, or a range of the owner's expiring
    offers (``ix_deal_owner_offer``), whichever the planner finds shorter. The count, asked only
    when the rows fill the ``limit``: a manager's book is mostly deals nobody touched for a week
    («no_activity»), so counting the flagged ones read nearly every open deal of the owner. With
    «no_activity» among ``flags`` and ``open_deals`` (SQL for the owner's open deals, from a kept
    total) it is ``open_deals`` minus the deals carrying none of the flags — all among the deals
    active within the week: a range of the owner's recent deals read from the index alone
    (``ix_deal_owner_quiet``), as long as the owner's recent work, not the whole book. Otherwise
    (a flag of a bounded date window, such as «offer_expiring») the flagged deals are counted
    through that flag's own range.
    """
    mine = _filtered_deals(session, user, now, DealFilter(status=DealStatus.OPEN, owner_id=user.id))
    flagged = or_(*(flag_condition(session, f, now) for f in flags))
    newest = mine.where(flagged).with_only_columns(Deal.id).order_by(Deal.id.desc()).limit(limit)
    rows = deal_rows(session, Deal.id.in_(newest.scalar_subquery()), now)
    if len(rows) < limit:
        return rows, len(rows)
    count = mine.with_only_columns(func.count()).select_from(Deal)
    if "no_activity" not in flags or open_deals is None:
        return rows, session.scalar(count.where(flagged)) or 0
    recent = func.coalesce(Deal.last_activity_at, Deal.created_at) >= quiet_since(now)
    unflagged = count.where(recent, ~func.coalesce(flagged, false())).scalar_subquery()
    return rows, int(session.scalar(select(open_deals - unflagged)) or 0)


def deal_processes(session: Session, deal: Deal) -> list[ProcessInstance]:
    """Process instances about the deal, and the ``lead_handling`` of the lead it came from."""
    conditions = [(ProcessInstance.business_type == "deal") & (ProcessInstance.business_id == deal.id)]
    if deal.lead_id:
        conditions.append((ProcessInstance.business_type == "lead")
                          & (ProcessInstance.business_id == deal.lead_id))
    # Without the saved state: the card shows title, status and start, and a state is kilobytes.
    return list(session.scalars(select(ProcessInstance).options(defer(ProcessInstance.state_json))
                                .where(or_(*conditions)).order_by(ProcessInstance.id)))


@dataclass
class ManagerLoad:
    user: User
    deals_by_stage: Counter = field(default_factory=Counter)
    open_tasks: int = 0
    overdue_tasks: int = 0
    leads_this_week: int = 0
    plan: int = 0
    won_this_month: int = 0

    @property
    def open_deals(self) -> int:
        return sum(self.deals_by_stage.values())


def assignable_managers(session: Session) -> list[User]:
    """Active managers and senior managers, who may receive leads, deals and portfolios."""
    roles = (Role.MANAGER.value, Role.SENIOR_MANAGER.value)
    return list(session.scalars(select(User).where(User.is_active, User.role.in_(roles))
                                .order_by(User.full_name)))


def _managers(session: Session, senior: User) -> list[User]:
    stmt = select(User).where(User.is_active, User.role.in_((Role.MANAGER.value, Role.SENIOR_MANAGER.value)))
    if senior.role != Role.ADMIN.value and senior.role != Role.HEAD.value:
        stmt = stmt.where(User.department_id == senior.department_id)
    return list(session.scalars(stmt.order_by(User.full_name)))


def workload(session: Session, senior: User, now: datetime) -> list[ManagerLoad]:
    """Per manager of the senior's department: open deals by stage, tasks (process and ad-hoc), leads,
    plan."""
    rows = {u.id: ManagerLoad(user=u) for u in _managers(session, senior)}
    ids = list(rows)
    # Every query below filters its nullable user column by IN (ids): the ids read back are never NULL.
    for owner_id, stage_name, n in session.execute(
            select(Deal.owner_id, FunnelStage.name, func.count())
            .join(FunnelStage, Deal.stage_id == FunnelStage.id)
            .where(Deal.owner_id.in_(ids), Deal.status == DealStatus.OPEN)
            .group_by(Deal.owner_id, FunnelStage.name)):
        rows[cast(int, owner_id)].deals_by_stage[stage_name] = n
    for assignee, due_at in session.execute(select(HumanTask.assignee_id, HumanTask.due_at).where(
            HumanTask.assignee_id.in_(ids), HumanTask.status == TaskStatus.OPEN)):
        load = rows[cast(int, assignee)]
        load.open_tasks += 1
        load.overdue_tasks += int(due_at is not None and due_at < now)
    for assignee, due_at in session.execute(select(Task.assignee_id, Task.due_at).where(
            Task.assignee_id.in_(ids), Task.is_open)):  # ad-hoc tasks load a manager as much
        load = rows[cast(int, assignee)]
        load.open_tasks += 1
        load.overdue_tasks += int(due_at is not None and due_at < now)
    week_start = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    for assignee, n in session.execute(select(Lead.assigned_to_id, func.count()).where(
            Lead.assigned_to_id.in_(ids), Lead.created_at >= week_start).group_by(Lead.assigned_to_id)):
        rows[cast(int, assignee)].leads_this_week = n
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for owner_id, n in session.execute(select(Deal.owner_id, func.count()).where(
            Deal.owner_id.in_(ids), Deal.status == DealStatus.WON, Deal.closed_at >= month_start)
            .group_by(Deal.owner_id)):
        rows[cast(int, owner_id)].won_this_month = n
    for user_id, plan in session.execute(select(SalesTeamMember.user_id, func.max(SalesTeamMember.plan_deals))
                                         .where(SalesTeamMember.user_id.in_(ids))
                                         .group_by(SalesTeamMember.user_id)):
        rows[user_id].plan = plan or 0
    return list(rows.values())


def client_deals(session: Session, user: User, client_id: int) -> list[Deal]:
    """The client's deals that ``user`` may see, newest first (for the client card)."""
    stmt = scoped(user, Deal, select(Deal).where(Deal.client_id == client_id))
    stmt = stmt.options(selectinload(Deal.stage), selectinload(Deal.funnel))  # one query each, not one a deal
    return list(session.scalars(stmt.order_by(Deal.id.desc()).limit(50)))
