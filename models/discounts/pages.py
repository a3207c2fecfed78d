"""What the discount pages read, one call per page: the approver's context, the deal block, the queue.

- ``signoff_context``: everything an approver weighs — the request and its route, the deal,
  the client's premiums and losses by year for three years with the loss ratio, LTV potential
  (premium in force, products not held with their typical premium, branches), the competitor
  offers, the margin effect, the request's history and earlier discussion, and the manager's
  earlier requests with their outcomes. Shown above the form of the approval task
  (``task_panel``, declared through ``models.tasks.hooks``) and on the request page.
- ``deal_discounts``: the block on the deal card — approvals in force, requests with their
  route and decisions, the request form's choices, counter-offers waiting for an answer.
- ``approver_queue``: «Согласование скидок» — what waits for the user's decision, with
  amounts, products and how long it has waited; and, for those who oversee, every open request.
  ``waiting_for`` is its first list alone (the home screen and the API's ``awaiting``).
- ``discount_log``: the coaching report (``models.discounts.stats``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from engine.tables import HumanTask, TaskStatus
from models.clients.cards import Client
from models.discounts.access import get_request
from models.discounts.approvals import approved_discounts
from models.discounts.errors import Approval
from models.discounts.pricing import PROCESS, MarginEffect, margin_effect
from models.discounts.requests import DiscountRequest, DiscountViolation, RequestStatus
from models.discounts.service import ANSWER_TASK, DECIDE_TASKS, open_task
from models.discounts.stats import LogRow, rows_for
from models.identity.users import User
from models.insurance.analytics import InsuranceContext, ProductHistory
from models.insurance.policies import PRODUCT_LINES
from models.insurance.service import client_context
from models.platform.durations import duration_text
from models.platform.permissions import Permission, can_access, require, scoped
from models.platform.roles import Role
from models.sales.access import get_deal
from models.sales.deals import Deal, DealStatus
from models.tasks.comments import Comment

EARLIER = 10
OVERSEERS = frozenset({Role.SENIOR_MANAGER, Role.HEAD, Role.ANALYST, Role.ADMIN, Role.UNDERWRITER})


@dataclass(frozen=True)
class SignoffContext:
    """The approver's view of one request."""

    request: DiscountRequest
    deal: Deal
    client: Client
    insurance: InsuranceContext
    history: ProductHistory  # the requested product, by year
    margin: MarginEffect
    competitors: list[dict]
    earlier: list[DiscountRequest]  # the requester's other requests, newest first
    discussion: list[Comment]  # comments on this request's earlier tasks (escalations)
    approvals: list[Approval]
    today: date

    @property
    def earlier_rate(self) -> str:
        decided = [
            r
            for r in self.earlier
            if r.status in (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.DECLINED)
        ]
        if not decided:
            return "—"
        approved = sum(1 for r in decided if r.status == RequestStatus.APPROVED)
        return f"{round(100 * approved / len(decided))} % ({approved} из {len(decided)})"


def _approvals(session: Session, deal: Deal, today: date) -> list[Approval]:
    products = list(dict.fromkeys([*deal.product_lines, *PRODUCT_LINES]))
    found = approved_discounts(session, deal.id, products, today)
    return [found[p] for p in products if p in found]


def _discussion(session: Session, request: DiscountRequest) -> list[Comment]:
    if request.instance_id is None:
        return []
    tasks = select(HumanTask.id).where(HumanTask.instance_id == request.instance_id)
    return list(
        session.scalars(
            select(Comment)
            .where(Comment.object_type == "human_task", Comment.object_id.in_(tasks))
            .order_by(Comment.id)
        )
    )


def signoff_context(session: Session, request: DiscountRequest, today: date) -> SignoffContext:
    deal, client = request.deal, request.client
    insurance = client_context(session, client, today)
    competitors = list(deal.competitor_offers or [])
    if request.competitor and request.competitor not in competitors:
        competitors.insert(0, request.competitor)
    earlier = list(
        session.scalars(
            select(DiscountRequest)
            .where(DiscountRequest.requester_id == request.requester_id, DiscountRequest.id != request.id)
            .order_by(DiscountRequest.created_at.desc(), DiscountRequest.id.desc())
            .limit(EARLIER)
        )
    )
    return SignoffContext(
        request=request,
        deal=deal,
        client=client,
        insurance=insurance,
        history=insurance.product(request.product),
        margin=margin_effect(
            request.base_premium,
            request.discount_pct,
            request.discount_amount,
            request.commission_rate,
            request.loss_ratio,
        ),
        competitors=competitors,
        earlier=earlier,
        discussion=_discussion(session, request),
        approvals=_approvals(session, deal, today),
        today=today,
    )


def request_of_instance(session: Session, instance_id: int) -> DiscountRequest | None:
    return session.scalar(select(DiscountRequest).where(DiscountRequest.instance_id == instance_id))


def task_panel(session: Session, user: User, row: HumanTask) -> SignoffContext | None:
    """The panel above a sign-off task's form (``models.tasks.hooks``); the task rules let the user in."""
    request = request_of_instance(session, row.instance_id)
    if request is None:
        return None
    return signoff_context(session, request, request.created_at.date())  # the figures the request was made on


@dataclass(frozen=True)
class RequestPage:
    context: SignoffContext
    decide_task: HumanTask | None  # the open approval task, if this user may complete it
    answer_task: HumanTask | None
    can_recall: bool
    can_answer: bool


def request_page(session: Session, user: User, request_id: int, today: date) -> RequestPage:
    """A request with its context, history, and what the user may do with it now."""
    request = get_request(session, user, request_id)
    decide = open_task(session, request, DECIDE_TASKS)
    answer = open_task(session, request, (ANSWER_TASK,))
    return RequestPage(
        context=signoff_context(session, request, today),
        decide_task=decide if decide is not None and can_access(user, decide, "complete") else None,
        answer_task=answer,
        can_recall=request.is_open and can_access(user, request, "recall"),
        can_answer=answer is not None and can_access(user, request, "answer"),
    )


def task_for(session: Session, user: User, request_id: int) -> HumanTask | None:
    """The open task of the request ``user`` should open: a decision or an answer to a counter-offer."""
    request = get_request(session, user, request_id)
    for elements in (DECIDE_TASKS, (ANSWER_TASK,)):
        task = open_task(session, request, elements)
        if task is not None and can_access(user, task, "view"):
            return task
    return None


@dataclass(frozen=True)
class DealDiscounts:
    """The discount block of a deal card."""

    deal: Deal
    approvals: list[Approval]
    requests: list[DiscountRequest]
    products: list[str]
    may_request: bool
    answerable: list[DiscountRequest]  # counter-offers this user may accept or decline
    my_tasks: dict[int, int] = field(default_factory=dict)  # request id -> the user's open decision task


def deal_discounts(session: Session, user: User, deal_id: int, today: date) -> DealDiscounts:
    deal = get_deal(session, user, deal_id)
    requests = list(
        session.scalars(
            select(DiscountRequest)
            .where(DiscountRequest.deal_id == deal.id)
            .order_by(DiscountRequest.id.desc())
            .limit(20)
        )
    )
    may_edit = can_access(user, deal, "edit")
    answerable = [
        r for r in requests if r.status == RequestStatus.COUNTERED and can_access(user, r, "answer")
    ]
    mine = {}
    for request in requests:
        task = open_task(session, request, DECIDE_TASKS) if request.status == RequestStatus.PENDING else None
        if task is not None and can_access(user, task, "complete"):
            mine[request.id] = task.id
    return DealDiscounts(
        deal=deal,
        approvals=_approvals(session, deal, today),
        requests=requests,
        products=[p for p in PRODUCT_LINES if p in deal.product_lines] or list(PRODUCT_LINES),
        may_request=may_edit and deal.status == DealStatus.OPEN,
        answerable=answerable,
        my_tasks=mine,
    )


@dataclass(frozen=True)
class QueueRow:
    request: DiscountRequest
    task: HumanTask | None
    waiting: timedelta

    @property
    def waiting_text(self) -> str:
        """«3 ч 20 мин», «2 дн. 4 ч» (``models.platform.durations``)."""
        return duration_text(max(self.waiting, timedelta(0)))


@dataclass(frozen=True)
class Queue:
    mine: list[QueueRow]
    open_all: list[QueueRow]  # for those who oversee the sign-off
    my_requests: list[DiscountRequest]


def _mine(session: Session, user: User) -> list[HumanTask]:
    standing_for = select(User.id).where(User.deputy_id == user.id)
    return list(
        session.scalars(
            select(HumanTask)
            .where(
                HumanTask.process_key == PROCESS,
                HumanTask.status == TaskStatus.OPEN,
                HumanTask.element_id.in_(DECIDE_TASKS),
                or_(
                    HumanTask.assignee_id == user.id,
                    HumanTask.assignee_id.in_(standing_for),
                    (HumanTask.assignee_id.is_(None)) & (HumanTask.candidate_role == user.role),
                ),
            )
            .order_by(HumanTask.created_at)
        )
    )


# What a row of the queue shows besides the request: the deal's title, the client, who asked and who
# decides — read with the requests, not one statement per row the first time each is shown.
_QUEUE_LOADS = (joinedload(DiscountRequest.deal), joinedload(DiscountRequest.client),
                joinedload(DiscountRequest.requester), joinedload(DiscountRequest.approver))


def waiting_for(session: Session, user: User, now: datetime) -> list[QueueRow]:
    """The requests waiting for ``user``'s decision (or their absent colleague's), oldest task first:
    the queue's first list, and all the home screen shows of it."""
    tasks = _mine(session, user)
    by_instance = (
        {
            r.instance_id: r
            for r in session.scalars(
                select(DiscountRequest).options(*_QUEUE_LOADS)
                .where(DiscountRequest.instance_id.in_([t.instance_id for t in tasks]))
            )
        }
        if tasks
        else {}
    )
    return [
        QueueRow(by_instance[t.instance_id], t, now - t.created_at)
        for t in tasks
        if t.instance_id in by_instance
    ]


def approver_queue(session: Session, user: User, now: datetime) -> Queue:
    """«Согласование скидок»: the requests waiting for ``user``'s decision, every open one for those
    who oversee, and ``user``'s own; each list in one statement with what its rows show."""
    mine = waiting_for(session, user, now)
    open_all: list[QueueRow] = []
    if Role(user.role) in OVERSEERS:
        pending = session.scalars(
            scoped(user, DiscountRequest)
            .options(*_QUEUE_LOADS)
            .where(DiscountRequest.status.in_(RequestStatus.OPEN))
            .order_by(DiscountRequest.created_at)
            .limit(200)
        )
        open_all = [QueueRow(r, None, now - r.created_at) for r in pending]
    own = list(
        session.scalars(
            select(DiscountRequest)
            .options(*_QUEUE_LOADS)
            .where(DiscountRequest.requester_id == user.id)
            .order_by(DiscountRequest.id.desc())
            .limit(50)
        )
    )
    return Queue(mine, open_all, own)


@dataclass(frozen=True)
class DiscountLog:
    rows: list[LogRow]
    since: date
    until: date
    managers: list[User]


def discount_log(
    session: Session, user: User, since: date, until: date, manager_id: int | None = None
) -> DiscountLog:
    """Per-manager statistics of requests created from ``since`` to ``until`` inclusive."""
    zone = ZoneInfo(user.timezone or "Europe/Moscow")
    start = datetime.combine(since, time.min, tzinfo=zone)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
    rows = rows_for(session, user, start, end, manager_id)
    managers = (
        [u for u in session.scalars(select(User).where(User.id.in_([r.user_id for r in rows])))]
        if rows
        else []
    )
    return DiscountLog(rows, since, until, sorted(managers, key=lambda u: u.full_name))


def list_requests(
    session: Session,
    user: User,
    now: datetime,
    *,
    deal_id: int | None = None,
    status: str | None = None,
    awaiting: bool = False,
    limit: int = 100,
) -> list[DiscountRequest]:
    """Requests ``user`` may see, newest first; ``awaiting``: those waiting for the user's decision."""
    if awaiting:
        return [row.request for row in waiting_for(session, user, now)]
    stmt = scoped(user, DiscountRequest)
    if deal_id is not None:
        stmt = stmt.where(DiscountRequest.deal_id == deal_id)
    if status is not None:
        stmt = stmt.where(DiscountRequest.status == status)
    return list(session.scalars(stmt.order_by(DiscountRequest.id.desc()).limit(limit)))


def deal_approvals(
    session: Session, user: User, deal_id: int, product: str | None, today: date
) -> list[Approval]:
    """The approvals in force on a deal ``user`` may see (of one product, or of every product)."""
    deal = get_deal(session, user, deal_id)
    return [a for a in _approvals(session, deal, today) if product is None or a.product == product]


def violations(session: Session, user: User, limit: int = 200) -> list[DiscountViolation]:
    """Refused attempts to send a КП above the approved discount, newest first (for reports)."""
    require(user, Permission.VIEW_REPORTS)
    stmt = select(DiscountViolation).order_by(DiscountViolation.id.desc()).limit(limit)
    if Role(user.role) == Role.SENIOR_MANAGER and user.department_id is not None:
        stmt = stmt.where(DiscountViolation.deal_id.in_(scoped(user, Deal, select(Deal.id))))
    return list(session.scalars(stmt))
