"""Demo discount sign-offs: a history for the log, and requests waiting at every approver level.

Everything goes through the real service and process (``request_discount``, the approval
tasks, ``decide_request``/``answer_counter``), so the demo shows what the feature does:

- the deals that already sent a КП with the demo's 7,5 % discount get that discount
  approved, so «the approved discount is law» holds for the demo data too;
- decided history for every manager (approved, rejected, a counter-offer accepted, one
  declined, one recalled) back-dated over the last weeks, so the log has figures;
- waiting now: one request at the senior manager, one at the head, one in the underwriting
  queue by the size of the discount and one by the client's loss ratio, and a counter-offer
  waiting for the manager's answer.

Requests are asked on products the client already holds, so the approver's panel shows a
real history. Where the demo deals offer no fitting case (the table decides the level),
a deal is opened for a client of the manager that fits — so every level always has a
request waiting. Loaded once (nothing is added when requests exist) and only when the
process is deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.clients.cards import Client, ClientKind
from models.discounts.errors import DiscountConflict, DiscountError
from models.discounts.pricing import PROCESS
from models.discounts.requests import DiscountRequest, Level
from models.discounts.service import (
    DECIDE_TASKS,
    answer_counter,
    decide_request,
    open_request,
    open_task,
    preview_request,
    recall_request,
    request_discount,
)
from models.identity.users import User, find_user
from models.insurance.analytics import loss_ratio
from models.insurance.policies import PRODUCT_LINES, Policy
from models.platform.registry import DemoContext
from models.sales.deals import Deal, DealStatus, open_deal
from models.sales.funnels import funnel_by_code

EARLY_STAGES = ("new", "qualification", "underwriting", "tender_prep", "consultation")
MANAGERS = ("manager", "manager2", "manager3")
_WHY = (
    "Клиент получил предложение {who} дешевле на 8 %, готов перейти",
    "Крупный клиент, продлеваем и расширяем программу на филиалы",
    "Тендер: цена — главный критерий, остальные условия у нас лучше",
    "Без убытков три года, клиент просит отразить это в цене",
)


@dataclass(frozen=True)
class _Case:
    """A request the demo wants: whose, how much, where the table must send it, what then happens."""

    owner: str
    pct: str
    level: str
    decision: str | None = None  # approve | reject | counter (None: left waiting)
    counter: str | None = None
    answer: str | None = None  # accept | decline, for a counter-offer
    days_ago: int = 0
    lossy: bool = False  # sent to underwriting by the client's loss ratio


@dataclass
class _Seeder:
    session: Session
    engine: ProcessEngine
    now: datetime
    made: int = 0

    def user(self, login: str) -> User | None:
        return find_user(self.session, login)

    def ask(self, deal: Deal, product: str, pct: str, why: str) -> DiscountRequest | None:
        if deal.owner is None:
            return None
        competitor = {"competitor_index": 0} if deal.competitor_offers else {}
        data = {"product": product, "discount": pct, "justification": why, **competitor}
        try:
            asked = request_discount(self.session, self.engine, deal.owner, deal.id, data, self.now)
        except (DiscountError, DiscountConflict):
            return None
        if asked.request is not None:
            self.made += 1
        return asked.request

    def decide(
        self, request: DiscountRequest, decision: str, comment: str, counter: str | None = None
    ) -> None:
        task = open_task(self.session, request, DECIDE_TASKS)
        if task is None:
            return
        actor = self.session.get(User, task.assignee_id) if task.assignee_id else self.user("underwriter")
        if actor is not None:
            data = {
                "decision": decision,
                "comment": comment,
                "counter_discount": float(counter) if counter else None,
            }
            decide_request(self.session, self.engine, actor, request.id, data)

    def fits(self, deal: Deal, product: str, case: _Case) -> bool:
        if open_request(self.session, deal.id, product) is not None or deal.owner is None:
            return False
        try:
            seen = preview_request(
                self.session,
                self.engine,
                deal.owner,
                deal.id,
                {"product": product, "discount": case.pct},
                self.now,
            )
        except (DiscountError, DiscountConflict):
            return False
        high_loss = seen.loss_ratio is not None and seen.loss_ratio > 70
        return seen.level == case.level and high_loss == case.lossy and not seen.covered


def _held(session: Session, client_id: int) -> list[str]:
    products = set(session.scalars(select(Policy.product).where(Policy.client_id == client_id)))
    return [p for p in PRODUCT_LINES if p in products]


def _find(
    seeder: _Seeder, deals: list[Deal], case: _Case, owners: tuple[str, ...], *, held_only: bool
) -> tuple[Deal, str] | None:
    """An early-stage demo deal of one of ``owners`` and a product that fits the case (``held_only``: only
    products the client already holds, so the approver sees a history)."""
    for owner in owners:
        for deal in deals:
            if deal.owner is None or deal.owner.login != owner or deal.stage.code not in EARLY_STAGES:
                continue
            held = _held(seeder.session, deal.client_id)
            lines = deal.product_lines or list(PRODUCT_LINES)
            candidates = [p for p in lines if p in held] if held_only else lines
            for product in candidates:
                if seeder.fits(deal, product, case):
                    return deal, product
    return None


def _open_for(seeder: _Seeder, case: _Case) -> tuple[Deal, str] | None:
    """Open a deal for a company of the case's owner whose history fits the case (a held product)."""
    owner = seeder.user(case.owner)
    funnel = funnel_by_code(seeder.session, "company")
    if owner is None or funnel is None:
        return None
    clients = seeder.session.scalars(
        select(Client)
        .where(Client.owner_id == owner.id, Client.kind == ClientKind.COMPANY.value)
        .order_by(Client.id)
    )
    today = seeder.now.date()
    for client in clients:
        for product in _held(seeder.session, client.id):
            ratio = loss_ratio(seeder.session, client.id, product, today)
            if ratio is None or (ratio > 70) != case.lossy:
                continue
            deal = open_deal(
                seeder.session,
                client=client,
                funnel=funnel,
                owner_id=owner.id,
                now=seeder.now,
                title=f"{client.display_name}: {product}",
                amount=Decimal("30000000"),
                premium=Decimal("900000"),
                product_lines=[product],
                competitor_offers=[
                    {"who": "АльфаСтрахование", "price": "820000.00", "conditions": "без франшизы"}
                ],
            )
            deal.stage = funnel.stage("qualification") or deal.stage
            seeder.session.flush()
            if seeder.fits(deal, product, case):
                return deal, product
            seeder.session.delete(deal)
            seeder.session.flush()
    return None


def _backdate(request: DiscountRequest, days: int) -> None:
    """Move a decided demo request into the past (its history, approval and validity with it)."""
    shift = timedelta(days=days)
    request.created_at -= shift
    for step in request.steps:
        step.at -= shift
    for name in ("approved_at", "closed_at", "valid_until"):
        if getattr(request, name) is not None:
            setattr(request, name, getattr(request, name) - shift)


def _play(seeder: _Seeder, deals: list[Deal], case: _Case, n: int) -> DiscountRequest | None:
    found = (
        _find(seeder, deals, case, (case.owner,), held_only=True)
        or _open_for(seeder, case)
        or _find(seeder, deals, case, MANAGERS, held_only=False)
    )
    if found is None:
        return None
    request = seeder.ask(*found, case.pct, _WHY[n % len(_WHY)].format(who="Ингосстраха"))
    if request is None or case.decision is None:
        return request
    comment = {
        "approve": "Согласовано в пределах лимита",
        "reject": "Убыточность растёт, скидку не даём",
        "counter": "Можем дать меньше: клиент и так в выгодном тарифе",
    }[case.decision]
    seeder.decide(request, case.decision, comment, case.counter)
    if case.answer and request.requester is not None:
        answer_counter(
            seeder.session,
            seeder.engine,
            request.requester,
            request.id,
            case.answer,
            "Клиент согласился" if case.answer == "accept" else "Клиент ушёл к конкуренту",
        )
    if case.days_ago:
        _backdate(request, case.days_ago)
    return request


def _offers_sent(seeder: _Seeder, deals: list[Deal]) -> None:
    """Approve the 7,5 % the demo КП already carry, so the demo data obeys the rule."""
    sent = [d for d in deals if d.requested_discount and d.stage.code in ("offer_sent", "negotiation")]
    for n, deal in enumerate(sent):
        who = (deal.competitor_offers or [{"who": "конкурента"}])[0]["who"]
        for product in deal.product_lines:
            request = seeder.ask(
                deal, product, str(deal.requested_discount), _WHY[n % len(_WHY)].format(who=who)
            )
            if request is not None:
                seeder.decide(request, "approve", "Согласовано: клиент лояльный, убытков мало")
                _backdate(request, 3 + n % 5)


HISTORY = (
    _Case("manager", "8", Level.SENIOR, "approve", days_ago=20),
    _Case("manager", "12", Level.HEAD, "reject", days_ago=26),
    _Case("manager2", "9", Level.SENIOR, "counter", "6", "accept", days_ago=15),
    _Case("manager2", "6", Level.SENIOR, "approve", days_ago=9),
    _Case("manager3", "14", Level.HEAD, "counter", "10", "decline", days_ago=12),
    _Case("manager3", "5", Level.SENIOR, "reject", days_ago=33),
)
WAITING = (
    _Case("manager", "8", Level.SENIOR),
    _Case("manager", "15", Level.HEAD),
    _Case("manager", "25", Level.UNDERWRITING),
    _Case("manager2", "5", Level.UNDERWRITING, lossy=True),
    _Case("manager3", "12", Level.HEAD, "counter", "9"),
)


def seed_discounts(context: DemoContext) -> dict[str, int]:
    session = context.session
    engine = context.engine()
    if engine.latest_definition(PROCESS) is None or session.scalar(select(func.count(DiscountRequest.id))):
        return {"discount_requests": 0}
    seeder = _Seeder(session, engine, context.clock.now())
    deals = list(
        session.scalars(
            select(Deal)
            .where(Deal.status == DealStatus.OPEN, Deal.amount.is_not(None), Deal.owner_id.is_not(None))
            .order_by(Deal.id)
        )
    )
    _offers_sent(seeder, deals)
    for n, case in enumerate(HISTORY):
        _play(seeder, deals, case, n + 1)
    recalled = _play(seeder, deals, _Case("manager2", "7", Level.SENIOR), 0)
    if recalled is not None and recalled.requester is not None:
        recall_request(
            session, engine, recalled.requester, recalled.id, "Клиент продлил без скидки", seeder.now
        )
        _backdate(recalled, 5)
    for n, case in enumerate(WAITING):
        _play(seeder, deals, case, n)
    session.flush()
    return {"discount_requests": seeder.made}
