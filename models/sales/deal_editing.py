"""Creating and editing deals from submitted data (UI forms and the API share these rules).

Values arrive as text or JSON; money becomes ``Decimal`` in RUB, dates ISO dates, and
every problem is reported per field in Russian through ``DealError``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.clients.cards import Client
from models.platform.ids import parse_int
from models.sales.deals import Deal, DealError, open_deal, parse_date, parse_money
from models.sales.funnels import funnel_by_code, funnel_for_kind

MONEY_FIELDS = ("amount", "premium")
DATE_FIELDS = ("expected_close_date", "offer_expires_on")


def _competitors(value: Any, errors: dict[str, list[str]]) -> list[dict] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(o, dict) for o in value):
        errors["competitor_offers"] = ["Ожидается список предложений: кто, цена, условия"]
        return None
    offers = []
    for offer in value:
        who = str(offer.get("who") or "").strip()
        if not who:
            errors.setdefault("competitor_offers", []).append("У предложения конкурента нужен «кто»")
            continue
        price = parse_money(offer.get("price"), "competitor_offers", errors)
        offers.append({"who": who, "price": str(price) if price is not None else None,
                       "conditions": str(offer.get("conditions") or "").strip()})
    return offers


def _products(value: Any, errors: dict[str, list[str]]) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [v for v in (p.strip() for p in value.split(",")) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["product_lines"] = ["Ожидается список продуктов"]
        return None
    return [v.strip() for v in value if v.strip()]


def _probability(value: Any, errors: dict[str, list[str]]) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 100:
        errors["probability"] = ["Вероятность — целое число от 0 до 100"]
        return None
    return number


def parse_discount(value: Any, errors: dict[str, list[str]]) -> Any:
    """The requested discount in per cent (0–100) or None; problems go to ``errors``."""
    discount = parse_money(value, "requested_discount", errors)
    if discount is not None and discount > 100:
        errors["requested_discount"] = ["Скидка — не больше 100 %"]
    return discount


def _title(value: Any, errors: dict[str, list[str]]) -> str:
    title = str(value or "").strip()
    if not title:
        errors["title"] = ["Название сделки не может быть пустым"]
    return title


_Parser = Callable[[Any, dict[str, list[str]]], Any]


def _for_field(parse: Callable[[Any, str, dict[str, list[str]]], Any], name: str) -> _Parser:
    """``parse`` bound to one field, so its errors are reported under that field's name."""
    return lambda value, errors: parse(value, name, errors)


_PARSERS: dict[str, _Parser] = {
    **{name: _for_field(parse_money, name) for name in MONEY_FIELDS},
    **{name: _for_field(parse_date, name) for name in DATE_FIELDS},
    "requested_discount": parse_discount,
    "title": _title,
    "probability": _probability,
    "product_lines": _products,
    "competitor_offers": _competitors,
}
_KEEP_WHEN_EMPTY = ("probability", "product_lines", "competitor_offers")


def apply_changes(deal: Deal, data: dict) -> Deal:
    """Change the editable fields present in ``data``; stage changes go through ``move_stage``."""
    errors: dict[str, list[str]] = {}
    changes = {name: parse(data[name], errors) for name, parse in _PARSERS.items() if name in data}
    if errors:
        raise DealError(errors)
    for name, value in changes.items():
        if value is not None or name not in _KEEP_WHEN_EMPTY:
            setattr(deal, name, value)
    return deal


def create_deal(session: Session, data: dict, *, owner_id: int | None, now: datetime) -> Deal:
    """A deal for an existing client, in the given funnel or the one of the client's type."""
    raw_client = str(data.get("client_id") or "")
    client = session.get(Client, number) if (number := parse_int(raw_client)) is not None else None
    if client is None:
        raise DealError({"client_id": ["Клиент не найден"]})
    funnel = (funnel_by_code(session, data["funnel"]) if data.get("funnel")
              else funnel_for_kind(session, client.kind))
    if funnel is None:
        raise DealError({"funnel": ["Воронка не найдена"]})
    deal = open_deal(session, client=client, funnel=funnel, owner_id=owner_id or client.owner_id, now=now,
                     title=(data.get("title") or "").strip() or None)
    return apply_changes(deal, {k: v for k, v in data.items() if k not in ("client_id", "funnel", "title")})
