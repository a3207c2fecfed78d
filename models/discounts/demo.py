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

Loaded once (nothing is added when requests exist) and only when the process is deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.discounts.errors import DiscountConflict, DiscountError
from models.discounts.pricing import PROCESS
from models.discounts.requests import DiscountRequest, Level
from models.discounts.service import (
    DECIDE_TASKS,
    answer_counter,
    decide_request,
    open_task,
    preview_request,
    recall_request,
    request_discount,
)
from models.identity.users import User, find_user
from models.insurance.policies import PRODUCT_LINES
from models.platform.registry import DemoContext
from models.sales.deals import Deal, DealStatus

_WHY = (
    "Клиент получил предложение {who} дешевле на 8 %, готов перейти",
    "Крупный клиент, продлеваем и расширяем программу на филиалы",
    "Тендер: цена — главный критерий, остальные условия у нас лучше",
    "Без убытков три года, клиент просит отразить это в цене",
)


@dataclass
class _Seeder:
    session: Session
    engine: ProcessEngine
    now: datetime
    made: int = 0

    def ask(self, deal: Deal, product: str, pct: str, why: str) -> DiscountRequest | None:
        owner = deal.owner
        if owner is None:
            return None
        competitor = {"competitor_index": 0} if deal.competitor_offers else {}
        try:
            asked = request_discount(
                self.session,
                self.engine,
                owner,
                deal.id,
                {"product": product, "discount": pct, "justification": why, **competitor},
                self.now,
            )
        except (DiscountError, DiscountConflict):
            return None
        if asked.request is not None:
            self.made += 1
        return asked.request

    def approver(self, request: DiscountRequest) -> User | None:
        task = open_task(self.session, request, DECIDE_TASKS)
        if task is None:
            return None
        if task.assignee_id is not None:
            return self.session.get(User, task.assignee_id)
        return find_user(self.session, "underwriter")

    def decide(
        self, request: DiscountRequest, decision: str, comment: str, counter: str | None = None
    ) -> None:
        actor = self.approver(request)
        if actor is not None:
            data = {
                "decision": decision,
                "comment": comment,
                "counter_discount": float(counter) if counter else None,
            }
            decide_request(self.session, self.engine, actor, request.id, data)


def _backdate(request: DiscountRequest, days: int) -> None:
    """Move a decided demo request into the past (its history, approval and validity with it)."""
    shift = timedelta(days=days)
    request.created_at -= shift
    for step in request.steps:
        step.at -= shift
    if request.approved_at is not None:
        request.approved_at -= shift
    if request.closed_at is not None:
        request.closed_at -= shift
    if request.valid_until is not None:
        request.valid_until -= shift


def _open_deals(session: Session) -> list[Deal]:
    return list(
        session.scalars(
            select(Deal)
            .where(Deal.status == DealStatus.OPEN, Deal.amount.is_not(None), Deal.owner_id.is_not(None))
            .order_by(Deal.id)
        )
    )


def _offers_sent(seeder: _Seeder, deals: list[Deal]) -> None:
    """Approve the 7,5 % the demo КП already carry, so the demo data obeys the rule."""
    for n, deal in enumerate(
        d for d in deals if d.requested_discount and d.stage.code in ("offer_sent", "negotiation")
    ):
        for product in deal.product_lines:
            request = seeder.ask(
                deal,
                product,
                str(deal.requested_discount),
                _WHY[n % len(_WHY)].format(who=(deal.competitor_offers or [{"who": "конкурента"}])[0]["who"]),
            )
            if request is not None:
                seeder.decide(request, "approve", "Согласовано: клиент лояльный, убытков мало")
                _backdate(request, 3 + n % 5)


def _find(
    seeder: _Seeder, deals: list[Deal], owner: str, pct: str, level: str, *, lossy: bool = False
) -> tuple[Deal, str] | None:
    """A deal of ``owner`` and a product for which ``pct`` % goes to ``level`` (by the authority table)."""
    for deal in deals:
        if (
            deal.owner is None
            or deal.owner.login != owner
            or deal.stage.code not in ("new", "qualification", "underwriting", "tender_prep", "consultation")
        ):
            continue
        for product in [*deal.product_lines, *PRODUCT_LINES]:
            try:
                preview = preview_request(
                    seeder.session,
                    seeder.engine,
                    deal.owner,
                    deal.id,
                    {"product": product, "discount": pct},
                    seeder.now,
                )
            except (DiscountError, DiscountConflict):
                continue
            high_loss = preview.loss_ratio is not None and preview.loss_ratio > 70
            if preview.level == level and high_loss == lossy and not preview.covered:
                return deal, product
    return None


def _history(seeder: _Seeder, deals: list[Deal]) -> None:
    plan = (
        ("manager", "8", Level.SENIOR, "approve", None, 20),
        ("manager", "12", Level.HEAD, "reject", None, 26),
        ("manager2", "9", Level.SENIOR, "counter", "6", 15),
        ("manager2", "6", Level.SENIOR, "approve", None, 9),
        ("manager3", "14", Level.HEAD, "counter", "10", 12),
        ("manager3", "5", Level.SENIOR, "reject", None, 33),
    )
    for n, (owner, pct, level, decision, counter, days) in enumerate(plan):
        found = _find(seeder, deals, owner, pct, level)
        if found is None:
            continue
        request = seeder.ask(*found, pct, _WHY[(n + 1) % len(_WHY)].format(who="Ингосстраха"))
        if request is None:
            continue
        comment = {
            "approve": "Согласовано в пределах лимита",
            "reject": "Убыточность растёт, скидку не даём",
            "counter": "Можем дать меньше: клиент и так в выгодном тарифе",
        }[decision]
        seeder.decide(request, decision, comment, counter)
        if decision == "counter" and request.requester is not None:
            answer_counter(
                seeder.session,
                seeder.engine,
                request.requester,
                request.id,
                "accept" if n % 2 == 0 else "decline",
                "Клиент согласился" if n % 2 == 0 else "Клиент ушёл к конкуренту",
            )
        _backdate(request, days)
    found = _find(seeder, deals, "manager2", "7", Level.SENIOR)
    if found is not None:
        request = seeder.ask(*found, "7", "Клиент просит скидку к продлению")
        if request is not None and request.requester is not None:
            recall_request(
                seeder.session,
                seeder.engine,
                request.requester,
                request.id,
                "Клиент продлил без скидки",
                seeder.now,
            )
            _backdate(request, 5)


def _waiting(seeder: _Seeder, deals: list[Deal]) -> None:
    wanted = (
        ("manager", "8", Level.SENIOR, False, None),
        ("manager", "15", Level.HEAD, False, None),
        ("manager", "25", Level.UNDERWRITING, False, None),
        ("manager2", "5", Level.UNDERWRITING, True, None),
        ("manager3", "12", Level.HEAD, False, "9"),
    )
    for n, (owner, pct, level, lossy, counter) in enumerate(wanted):
        found = _find(seeder, deals, owner, pct, level, lossy=lossy)
        if found is None:
            continue
        request = seeder.ask(*found, pct, _WHY[n % len(_WHY)].format(who="РЕСО-Гарантии"))
        if request is not None and counter:
            seeder.decide(request, "counter", "Готов согласовать меньшую скидку", counter)


def seed_discounts(context: DemoContext) -> dict[str, int]:
    session = context.session
    engine = context.engine()
    if engine.latest_definition(PROCESS) is None or session.scalar(select(func.count(DiscountRequest.id))):
        return {"discount_requests": 0}
    seeder = _Seeder(session, engine, context.clock.now())
    deals = _open_deals(session)
    _offers_sent(seeder, deals)
    _history(seeder, deals)
    _waiting(seeder, deals)
    session.flush()
    return {"discount_requests": seeder.made}
