"""What a discount request asks for, checked: the product, the justification, the competitor offer,
the base premium and the discount both ways; and where it would go (``preview_request``).

``check_request`` is shared by asking (``service.request_discount``) and previewing (the form's
live quote, ``GET /api/v1/discounts/quote``), so both refuse the same input with the same
Russian messages per field (``DiscountError``) before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from engine.api import ProcessEngine
from models.discounts.approvals import approved_discount
from models.discounts.authority import explain, route_text
from models.discounts.errors import Approval, DiscountError
from models.discounts.pricing import (
    AUTHORITY_TASK,
    PROCESS,
    BasePrice,
    base_price,
    decimal_value,
    discount_of,
)
from models.identity.users import User
from models.insurance.policies import PRODUCT_LINES
from models.insurance.service import loss_ratio
from models.sales.access import get_deal
from models.sales.deals import Deal, DealStatus

MAX_TEXT = 5000


def closed_deal(deal: Deal) -> DiscountError:
    outcome = "выиграна" if deal.status == DealStatus.WON else "проиграна"
    return DiscountError({"deal": [f"Сделка «{deal.title}» закрыта ({outcome}): скидку по ней не согласуют"]})


def _competitor(deal: Deal, data: Mapping[str, Any], errors: dict[str, list[str]]) -> dict | None:
    """The competitor offer attached: one of the deal's (``competitor_index``) or typed (``competitor``)."""
    index = data.get("competitor_index")
    if index not in (None, ""):
        try:
            return dict(deal.competitor_offers[int(index)])
        except (ValueError, TypeError, IndexError):
            errors["competitor_index"] = ["Выберите предложение конкурента из сделки"]
            return None
    offer = data.get("competitor")
    if offer in (None, "", {}):
        return None
    if not isinstance(offer, Mapping) or not str(offer.get("who") or "").strip():
        errors["competitor"] = ["Предложение конкурента: укажите хотя бы, кто его сделал"]
        return None
    try:
        price = decimal_value(offer.get("price"))
    except ValueError:
        price = None
        errors["competitor"] = ["Цена конкурента — сумма в рублях, например 950 000"]
    if price is not None and price < 0:
        errors["competitor"] = ["Цена конкурента не может быть отрицательной"]
    return {
        "who": str(offer["who"]).strip()[:200],
        "price": str(price.quantize(Decimal("0.01"))) if price else None,
        "conditions": str(offer.get("conditions") or "").strip()[:1000],
    }


@dataclass(frozen=True)
class Checked:
    product: str
    justification: str
    competitor: dict | None
    price: BasePrice
    pct: Decimal
    amount: Decimal
    unit: str


def check_request(engine: ProcessEngine, actor: User, deal: Deal, data: Mapping[str, Any]) -> Checked:
    errors: dict[str, list[str]] = {}
    product = str(data.get("product") or "").strip()
    if product not in PRODUCT_LINES:
        errors["product"] = ["Выберите продукт из списка"]
    elif deal.product_lines and product not in deal.product_lines:
        errors["product"] = [f"В сделке нет продукта «{product}»: добавьте его в продукты сделки"]
    justification = str(data.get("justification") or "").strip()
    if not justification:
        errors["justification"] = ["Обоснование обязательно: почему клиенту нужна эта скидка"]
    elif len(justification) > MAX_TEXT:
        errors["justification"] = [f"Обоснование — не длиннее {MAX_TEXT} символов"]
    competitor = _competitor(deal, data, errors)
    unit = str(data.get("discount_unit") or "pct").strip()
    price = (
        base_price(engine, deal, product, data.get("base_premium"), actor.role, errors)
        if "product" not in errors
        else None
    )
    amounts = discount_of(data.get("discount"), unit, price.premium, errors) if price is not None else None
    if errors or price is None or amounts is None:
        raise DiscountError(errors or {"discount": ["Укажите скидку"]})
    return Checked(product, justification, competitor, price, amounts[0], amounts[1], unit)


@dataclass(frozen=True)
class Preview:
    """Where a request would go before it is sent: the price, the discount, the level and why."""

    price: BasePrice
    pct: Decimal
    amount: Decimal
    loss_ratio: Decimal | None
    level: str
    rule: str | None
    explanation: str
    approval: Approval | None  # the approval in force for the product, if any

    @property
    def covered(self) -> bool:
        return self.approval is not None and self.pct <= self.approval.pct


def preview_request(
    session: Session, engine: ProcessEngine, actor: User, deal_id: int, data: Mapping[str, Any], now: datetime
) -> Preview:
    """What ``request_discount`` would do with ``data`` (the same checks), without writing anything:
    the base premium, the discount both ways, and the level the authority table picks."""
    deal = get_deal(session, actor, deal_id, "edit")
    if deal.status != DealStatus.OPEN:
        raise closed_deal(deal)
    data = {"justification": "—", **data}
    checked = check_request(engine, actor, deal, data)
    today = now.date()
    ratio = loss_ratio(session, deal.client_id, checked.product, today)
    answer = engine.decide(
        PROCESS,
        AUTHORITY_TASK,
        {
            "role": actor.role,
            "product": checked.product,
            "discount": checked.pct,
            "premium": checked.price.premium,
            "loss_ratio": ratio if ratio is not None else Decimal("0"),
        },
    )
    level = str(answer.outputs.get("level") or "")
    reason = explain(
        str(answer.outputs.get("reason") or ""),
        discount=checked.pct,
        premium=checked.price.premium,
        loss_ratio=ratio,
        product=checked.product,
    )
    return Preview(
        checked.price,
        checked.pct,
        checked.amount,
        ratio,
        level,
        answer.rule_id,
        route_text(level, reason),
        approved_discount(session, deal.id, checked.product, today),
    )
