"""The sign-off's own checks of a decision, before the engine completes the approval task.

The form (``forms/discount_decision.schema.json``) asks for a decision and a comment; what a
schema cannot know is checked here, for the task page, the API and the deal card alike
(declared with ``models.tasks.hooks.declare_check``): the comment must say something (not
only spaces), a counter-offer must be a lower discount than the one asked (and above zero),
nobody decides their own request, and underwriting — the top level — cannot escalate.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.discounts.pages import request_of_instance
from models.discounts.requests import Level, percent
from models.discounts.service import DECIDE_TASKS


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def check_task(session: Session, user: Any, row: HumanTask, data: dict) -> dict[str, list[str]]:
    """Russian messages per field for a decision the sign-off refuses (empty: fine)."""
    if row.element_id not in DECIDE_TASKS:
        return {}
    request = request_of_instance(session, row.instance_id)
    if request is None:
        return {}
    errors: dict[str, list[str]] = {}
    if request.requester_id == getattr(user, "id", None):
        errors["_form"] = ["Свой запрос скидки согласовать нельзя: решает другой согласующий"]
    comment = data.get("comment")
    if not isinstance(comment, str) or not comment.strip():
        errors["comment"] = ["Комментарий обязателен: обоснуйте решение"]
    decision = data.get("decision")
    if decision == "counter":
        counter = _decimal(data.get("counter_discount"))
        if counter is None:
            errors["counter_discount"] = ["Укажите встречную скидку, %"]
        elif not 0 < counter < request.discount_pct:
            errors["counter_discount"] = [
                f"Встречная скидка — больше 0 и меньше запрошенной {percent(request.discount_pct)} %"
            ]
        elif counter != counter.quantize(Decimal("0.01")):
            errors["counter_discount"] = ["Встречная скидка — с точностью до сотых процента"]
    if decision in ("escalate", "to_underwriting") and request.level == Level.UNDERWRITING:
        errors["decision"] = [
            "Андеррайтинг — последний уровень: согласуйте, отклоните или предложите меньшую скидку"
        ]
    return errors
