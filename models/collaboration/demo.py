"""Demo: a client whose timeline shows every kind at once, a good example marked, a request waiting.

For the first demo client of the manager «manager» that has a policy: a call with an
objection, a comment marked «пример» (tag «возражения»), a tariff request to underwriting
and a question to the product
specialists (their process steps show too) and a changed field. Loading again adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models.clients.cards import Client
from models.collaboration.comments import CommentMark
from models.collaboration.request_service import ask
from models.collaboration.requests import DepartmentRequest
from models.identity.users import User
from models.insurance.policies import Policy
from models.platform.audit import acting_as
from models.platform.registry import DemoContext
from models.sales.activities import log_activity
from models.tasks.comments import add_comment

OBJECTION = ("Возражения: клиент считает, что дорого. Показали сравнение покрытия и франшизы — "
             "согласился на расчёт.")


def seed_collaboration(context: DemoContext) -> dict[str, int]:
    session = context.session
    manager = session.scalar(select(User).where(User.login == "manager"))
    if manager is None:
        return {"department_requests": 0}
    client = session.scalar(select(Client).join(Policy, Policy.client_id == Client.id)
                            .where(Client.owner_id == manager.id).order_by(Client.id).limit(1))
    asked = select(DepartmentRequest.id).where(DepartmentRequest.client_id == (client.id if client else None))
    if client is None or session.scalar(asked):
        return {"department_requests": 0}
    now = context.clock.now()
    with acting_as(manager.id):
        log_activity(session, kind="call", subject="Обсудили продление КАСКО", outcome=OBJECTION,
                     happened_at=now - timedelta(minutes=10), now=now, user_id=manager.id,
                     client_id=client.id)
        comment = add_comment(session, "client", client.id, manager, OBJECTION, now - timedelta(minutes=5))
        session.add(CommentMark(comment_id=comment.id, mark="example", tag="возражения", product="КАСКО",
                                marked_by_id=manager.id, marked_at=now))
        client.segment = "Крупный" if client.segment != "Крупный" else "Средний"
        session.flush()
        created = 0
        engine = context.engine()
        if engine.latest_definition("department_request") is not None:
            ask(session, engine, manager, {"kind": "tariff", "client_id": client.id, "form": {
                "subject": "Продление КАСКО: автопарк", "product": "КАСКО", "insured_sum": "85000000",
                "question": "Клиент считает, что дорого: посчитайте тариф с франшизой 30 000 ₽"}},
                now, context.settings.forms_dir)
            ask(session, engine, manager, {"kind": "product_question", "client_id": client.id, "form": {
                "subject": "КАСКО для автопарка: франшиза", "product": "КАСКО",
                "question": "Можно ли дать безусловную франшизу только на часть машин автопарка?"}},
                now, context.settings.forms_dir)
            created = 2
    return {"department_requests": created}
