"""The discount sign-off as an approvable task kind (``models.tasks.approvables``): one-tap decisions.

«Согласовать» and «Отклонить» are the sign-off's ``approve`` and ``reject`` decisions, recorded
through ``service.decide_request`` — the same checks (the comment the sign-off requires, not
one's own request), deputies, decision log and next steps as the approver's task page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.tables import HumanTask
from models.discounts.authority import money_text
from models.discounts.pages import request_of_instance
from models.discounts.pricing import PROCESS
from models.discounts.requests import percent
from models.discounts.service import DECIDE_TASKS, DiscountConflict, decide_request
from models.tasks.approvables import ApprovableKind


def summary(session: Session, row: HumanTask) -> str:
    request = request_of_instance(session, row.instance_id)
    if request is None:
        return row.title
    who = request.requester.full_name if request.requester else "—"
    lines = [
        f"Согласование скидки №{request.id}",
        f"Сделка: {request.deal.title}",
        f"Продукт: {request.product}",
        f"Скидка: {percent(request.discount_pct)} % ({money_text(request.discount_amount)}), "
        f"премия {money_text(request.base_premium)} → {money_text(request.resulting_premium)}",
        f"Запросил: {who}",
    ]
    if request.justification:
        lines.append(f"Обоснование: {request.justification}")
    return "\n".join(lines)


def decide(session: Session, engine: Any, user: Any, row: HumanTask, decision: str, comment: str) -> str:
    request = request_of_instance(session, row.instance_id)
    if request is None:
        raise DiscountConflict("Запрос скидки не найден")
    done = decide_request(session, engine, user, request.id, {"decision": decision, "comment": comment})
    return done.message


DISCOUNT_APPROVALS = ApprovableKind(
    process_key=PROCESS,
    elements=DECIDE_TASKS,
    summary=summary,
    needs_comment=lambda decision: True,  # the sign-off asks for a reason with every decision
    decide=decide,
)
