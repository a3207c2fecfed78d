"""Demo: a client whose timeline shows every kind at once, a good example marked, a request waiting.

For the first demo client of the manager «manager» that has a policy: a call with an
objection, a comment marked «пример» (tag «возражения»), a tariff request to underwriting
and a question to the product
specialists (their process steps show too) and a changed field. Loading again adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.tables import HumanTask, TaskStatus
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
from models.tasks.service import claim_task

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
            created = 2 + _more_requests(context, manager, client)
    return {"department_requests": created}


def _more_requests(context: DemoContext, manager: User, client: Client) -> int:
    """One request to each of back office, lawyers and analysts, so their homes have one waiting."""
    session, now = context.session, context.clock.now()
    senior = session.scalar(select(User).where(User.login == "senior")) or manager
    asks = (
        (manager, {"kind": "requisites", "client_id": client.id, "form": {
            "subject": "Проверить реквизиты перед выставлением счёта", "inn": client.inn or "",
            "kpp": client.kpp or "", "question": "Клиент сменил юридический адрес: проверьте КПП и банк"}}),
        (manager, {"kind": "contract_review", "client_id": client.id, "form": {
            "subject": "Протокол разногласий к договору КАСКО", "contract_number": "КАС-2611-4821",
            "deadline_note": "клиент ждёт ответа до пятницы",
            "question": "Клиент просит ограничить ответственность суммой годовой премии — можно принять?"}}),
        (senior, {"kind": "data_request", "client_id": client.id, "form": {
            "subject": "Конверсия КП в договор по продуктам за квартал", "period": "последний квартал",
            "data_needed": "КП отправлено, выиграно, средняя премия — по продуктам и менеджерам",
            "question": "Готовлю разбор на планёрку: где теряем клиентов после КП?"}}),
    )
    asked = 0
    for asker, request in asks:
        if request["kind"] == "requisites" and not client.inn:
            continue
        made = ask(session, context.engine(), asker, request, now, context.settings.forms_dir)
        asked += 1
        if request["kind"] == "requisites":
            _claimed_by_back_office(session, made, now)
    return asked


def _claimed_by_back_office(session, request: DepartmentRequest, now) -> None:
    """The back office has already taken the requisites check: «В работе у меня» is not empty."""
    backoffice = session.scalar(select(User).where(User.login == "backoffice"))
    task = session.scalar(select(HumanTask).where(HumanTask.instance_id == request.instance_id,
                                                  HumanTask.status == TaskStatus.OPEN).limit(1))
    if backoffice is not None and task is not None and task.assignee_id is None:
        claim_task(session, backoffice, "process", task.id, now)
