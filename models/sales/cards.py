"""What the sales pages show, read in one call each: the lead card, the deal card, the deal list.

Each function loads the record with its access check (``models.sales.access``) and returns
a small dataclass holding everything its template needs, so a page makes one call and no
query of its own. Lists are narrowed by ``scoped`` (``models.sales.queries``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine.tables import HumanTask, ProcessInstance, TaskStatus
from models.identity.users import User
from models.platform.permissions import Permission, can_access, has_permission, require
from models.privacy.access_log import log_access
from models.sales.access import get_deal, get_lead
from models.sales.activities import Activity
from models.sales.board import BoardColumn, board_columns
from models.sales.deal_rows import DealRow
from models.sales.deal_tasks import DealTasks, deal_tasks
from models.sales.deals import Deal, DealStageHistory, deal_flags, time_in_stages
from models.sales.funnels import Funnel, FunnelStage, LossReason, funnel_by_code
from models.sales.leads import Lead
from models.sales.queries import (
    PAGE_SIZE,
    DealFilter,
    ManagerLoad,
    assignable_managers,
    deal_processes,
    list_rows,
    workload,
)


def open_lead_task(session: Session, lead: Lead) -> HumanTask | None:
    """The lead's open inbox task (the newest, should a process have left two)."""
    return session.scalar(select(HumanTask).where(
        HumanTask.business_type == "lead", HumanTask.business_id == lead.id,
        HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.id.desc()))


@dataclass(frozen=True)
class LeadCard:
    """The lead, its open task when ``user`` may work it, and the hand-over choices."""

    lead: Lead
    task: HumanTask | None
    managers: list[User]
    may_distribute: bool


def lead_card(session: Session, user: User, lead_id: int) -> LeadCard:
    """The card of a lead ``user`` sees; the task is offered to its assignee and the lead's editors."""
    lead = get_lead(session, user, lead_id)
    log_access(session, user.id, "lead", lead.id)  # 152-ФЗ: who opened a person's card
    task = open_lead_task(session, lead)
    if task is not None and task.assignee_id != user.id and not can_access(user, lead, "edit"):
        task = None
    return LeadCard(lead=lead, task=task, managers=assignable_managers(session),
                    may_distribute=has_permission(user, Permission.DISTRIBUTE_WORK))


@dataclass(frozen=True)
class DealCard:
    """The deal with flags, time per stage, timeline, tasks, processes and the form choices."""

    deal: Deal
    flags: list[str]
    stays: list[tuple[FunnelStage, int]]
    activities: list[Activity]  # the newest CARD_ACTIVITIES
    more_activities: bool  # older ones are in the deal's timeline
    tasks: DealTasks  # the newest CARD_TASKS, open first (``models.sales.deal_tasks``)
    processes: list[ProcessInstance]
    managers: list[User]
    loss_reasons: list[LossReason]


# What the card walks, loaded with the deal (lazily, the template and the flags read each in a
# statement of its own): the client, stage, owner and funnel in the deal's own statement, the
# funnel's stages (the stage path and the move box) in one more, the stays with their stages in one.
_CARD_LOADS = (joinedload(Deal.client), joinedload(Deal.stage), joinedload(Deal.owner),
               joinedload(Deal.funnel).selectinload(Funnel.stages),
               selectinload(Deal.history).joinedload(DealStageHistory.stage))


CARD_ACTIVITIES = 20  # the card's timeline; the deal's «Лента» pages through the rest


def deal_card(session: Session, user: User, deal_id: int, now: datetime) -> DealCard:
    """The card of a deal ``user`` sees; hand-over choices only for those who distribute work."""
    deal = get_deal(session, user, deal_id, options=_CARD_LOADS)
    # Who logged each activity comes with it: one statement, not one per colleague in the timeline.
    activities = list(session.scalars(select(Activity).options(joinedload(Activity.user))
                                      .where(Activity.deal_id == deal.id)
                                      .order_by(Activity.happened_at.desc(), Activity.id.desc())
                                      .limit(CARD_ACTIVITIES + 1)))
    managers = assignable_managers(session) if has_permission(user, Permission.DISTRIBUTE_WORK) else []
    reasons = session.scalars(select(LossReason).where(LossReason.is_active)).all()
    return DealCard(deal=deal, flags=deal_flags(deal, now), stays=time_in_stages(deal, now),
                    activities=activities[:CARD_ACTIVITIES],
                    more_activities=len(activities) > CARD_ACTIVITIES, tasks=deal_tasks(session, deal),
                    processes=deal_processes(session, deal), managers=managers, loss_reasons=list(reasons))


@dataclass(frozen=True)
class DealList:
    """Deals matching the filters with their flags, the funnels as tabs, the chosen funnel's board."""

    rows: list[tuple[DealRow, list[str]]]
    funnels: list[Funnel]
    board: Funnel | None
    columns: list[BoardColumn]  # the board's stages with totals and their newest cards
    next_before: int | None  # the cursor of the next page of the list (None on the last page)
    loss_reasons: list[LossReason]  # what the board's «Проиграна» dialog offers


def deal_list(session: Session, user: User, now: datetime, filters: DealFilter) -> DealList:
    """The deals page: what ``user`` may see that matches ``filters``; a funnel filter adds its board."""
    funnels = list(session.scalars(select(Funnel).order_by(Funnel.id)))
    board = funnel_by_code(session, filters.funnel) if filters.funnel and not filters.stage else None
    if board is not None:
        reasons = list(session.scalars(select(LossReason).where(LossReason.is_active)
                                       .order_by(LossReason.name)))
        return DealList(rows=[], funnels=funnels, board=board, loss_reasons=reasons,
                        columns=board_columns(session, user, now, filters, board), next_before=None)
    rows = list_rows(session, user, now, filters, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return DealList(rows=rows, funnels=funnels, board=None, columns=[], loss_reasons=[],
                    next_before=rows[-1][0].id if more else None)


def workload_of(session: Session, user: User, now: datetime) -> list[ManagerLoad]:
    """The workload page, for those who distribute work (``AccessDenied`` for anyone else)."""
    require(user, Permission.DISTRIBUTE_WORK)
    return workload(session, user, now)


@dataclass(frozen=True)
class FunnelSettings:
    """Funnels with their stages, and every loss reason (switched-off ones too)."""

    funnels: list[Funnel]
    reasons: list[LossReason]


def funnel_settings(session: Session, user: User) -> FunnelSettings:
    """The funnel settings page, for admins (those who manage users)."""
    require(user, Permission.MANAGE_USERS)
    return FunnelSettings(funnels=list(session.scalars(select(Funnel).order_by(Funnel.id))),
                          reasons=list(session.scalars(select(LossReason).order_by(LossReason.name))))
