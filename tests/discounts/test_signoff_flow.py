"""The sign-off from request to the deal: decisions, counter-offers, escalation, recall, deadlines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from engine.jobs import fire_due_timers
from engine.tables import InstanceStatus, ProcessInstance
from models.discounts.approvals import approved_discount
from models.discounts.pages import task_panel
from models.discounts.service import ANSWER_TASK, answer_counter, recall_request
from models.notifications.service import Notification
from models.platform.outbox import OutboxMessage
from models.sales.deals import Deal
from models.tasks.service import comment_on_task

D = Decimal


def _notes(session, user, kind):
    session.expire_all()
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind == kind)
            .order_by(Notification.id)
        )
    )


def test_a_request_is_priced_by_the_tariff_and_the_approver_is_told_with_a_link(world, session):
    deal = world.deal(
        competitors=[{"who": "Ингосстрах", "price": "900000.00", "conditions": "франшиза 30 000 ₽"}]
    )
    done = world.ask(deal, "150000", discount_unit="rub", competitor_index=0)
    request = done.request
    assert (request.base_source, request.base_rate, request.base_premium) == (
        "tariff",
        D("2.5000"),
        D("1000000.00"),
    )
    assert (request.discount_pct, request.discount_amount, request.resulting_premium) == (
        D("15.00"),
        D("150000.00"),
        D("850000.00"),
    )
    assert request.entered_as == "rub" and request.commission_rate == D("12.00")
    assert request.competitor == {
        "who": "Ингосстрах",
        "price": "900000.00",
        "conditions": "франшиза 30 000 ₽",
    }
    assert done.message == (
        f"Запрос №{request.id} отправлен: нужен руководитель отдела: скидка 15 % > 10 % лимита "
        "старшего менеджера. Ждёт решения: Виктор Андреевич Орлов."
    )
    [note] = _notes(session, world.users["head"], "discount_request")
    assert note.title == f"Согласуйте скидку 15 % (КАСКО): {deal.title}"
    assert f"https://crm.example.ru/discounts/requests/{request.id}/task" in note.body
    assert "1 000 000 ₽ → 850 000 ₽" in note.body
    [mail] = [m for m in session.scalars(select(OutboxMessage)) if m.payload.get("subject") == note.title]
    assert mail.payload["to"] == "head@demo.crm.local"
    assert f"https://crm.example.ru/discounts/requests/{request.id}/task" in mail.payload["body"]


def test_approval_is_written_onto_the_deal_and_the_manager_is_told(world, session):
    deal = world.deal()
    request = world.ask(deal, "8").request
    world.clock.advance(timedelta(hours=2))
    world.decide(request, "senior", "approve", "Клиент лояльный")
    request = world.refresh(request)
    assert (request.status, request.approved_pct, request.approved_by_id) == (
        "approved",
        D("8.00"),
        world.users["senior"].id,
    )
    assert request.approved_at == world.clock.now()
    assert request.valid_until == world.today + timedelta(days=30)
    assert request.open_key is None
    assert session.get(Deal, deal.id).requested_discount == D("8.00")
    approval = approved_discount(session, deal.id, "КАСКО", world.today)
    assert (approval.pct, approval.approved_by) == (D("8.00"), "Ольга Викторовна Кузнецова")
    assert approved_discount(session, deal.id, "КАСКО", world.today + timedelta(days=31)) is None
    [note] = _notes(session, world.users["manager"], "discount_decision")
    assert note.title == "Скидка согласована: 8 % — КАСКО"
    assert "Действует до" in note.body and "Клиент лояльный" in note.body
    steps = [(s.action, s.level) for s in request.steps]
    assert steps == [("requested", None), ("routed", "senior"), ("approved", "senior")]
    instance = session.get(ProcessInstance, request.instance_id)
    assert instance.status == InstanceStatus.COMPLETED


def test_counter_offer_accepted_becomes_the_approved_discount(world, session):
    deal = world.deal()
    request = world.ask(deal, "15").request
    world.decide(request, "head", "counter", "Больше 12 % дать не можем", counter=12)
    request = world.refresh(request)
    assert (request.status, request.counter_pct, request.counter_by_id) == (
        "countered",
        D("12.00"),
        world.users["head"].id,
    )
    answer = world.task(request, (ANSWER_TASK,))
    assert answer.assignee_id == world.users["manager"].id
    [note] = _notes(session, world.users["manager"], "discount_decision")
    assert note.title == "Встречное предложение по скидке: 12 % вместо 15 %"
    answer_counter(session, world.engine(), world.users["manager"], request.id, "accept", "Клиент согласен")
    session.commit()
    request = world.refresh(request)
    assert (request.status, request.approved_pct, request.approved_by_id) == (
        "approved",
        D("12.00"),
        world.users["head"].id,
    )
    assert session.get(Deal, deal.id).requested_discount == D("12.00")
    assert [s.action for s in request.steps][-2:] == ["countered", "accepted"]
    assert _notes(session, world.users["head"], "discount_decision")[-1].title == (
        "Встречное предложение принято: 12 % — КАСКО"
    )


def test_counter_offer_declined_closes_the_request_without_approval(world, session):
    deal = world.deal()
    request = world.ask(deal, "15").request
    world.decide(request, "head", "counter", "Могу дать 11 %", counter=11)
    answer_counter(session, world.engine(), world.users["manager"], request.id, "decline", "Клиент ушёл")
    session.commit()
    request = world.refresh(request)
    assert (request.status, request.approved_pct, request.open_key) == ("declined", None, None)
    assert approved_discount(session, deal.id, "КАСКО", world.today) is None
    assert world.ask(deal, "10").request is not None  # a new request may be made now


def test_rejection_tells_the_manager_and_approves_nothing(world, session):
    deal = world.deal()
    request = world.ask(deal, "9").request
    world.decide(request, "senior", "reject", "Клиент убыточный по другим продуктам")
    request = world.refresh(request)
    assert request.status == "rejected"
    assert session.get(Deal, deal.id).requested_discount is None
    assert (
        _notes(session, world.users["manager"], "discount_decision")[-1].title
        == "Скидка отклонена: 9 % — КАСКО"
    )


def test_escalation_goes_up_one_level_then_to_underwriting_with_the_history(world, session):
    request = world.ask(world.deal(), "8").request
    world.decide(request, "senior", "escalate", "Стратегический клиент, пусть решает руководитель")
    request = world.refresh(request)
    task = world.task(request)
    assert (request.level, task.element_id, task.assignee_id) == (
        "head",
        "decide_head",
        world.users["head"].id,
    )
    assert "эскалация: Ольга Викторовна Кузнецова" in request.route_text
    assert task.instructions and "Маршрут" in task.instructions
    data = world.engine().task_data(task)
    assert (data["decision"], data["comment"]) == ("", "")  # the previous level's answer is not pre-filled
    world.decide(request, "head", "to_underwriting", "Нужен андеррайтер: большие суммы")
    request = world.refresh(request)
    task = world.task(request)
    assert (request.level, task.element_id, task.candidate_role, task.assignee_id) == (
        "underwriting",
        "decide_underwriting",
        "underwriter",
        None,
    )
    assert [n.title for n in _notes(session, world.users["underwriter"], "discount_request")]
    world.decide(request, "underwriter", "approve", "Риск приемлемый")
    request = world.refresh(request)
    assert (request.status, request.approved_by_id) == ("approved", world.users["underwriter"].id)
    assert [(s.action, s.level) for s in request.steps] == [
        ("requested", None),
        ("routed", "senior"),
        ("escalated", "senior"),
        ("routed", "head"),
        ("escalated", "head"),
        ("routed", "underwriting"),
        ("approved", "underwriting"),
    ]


def test_recall_cancels_the_sign_off_and_tells_the_approver(world, session):
    deal = world.deal()
    request = world.ask(deal, "15").request
    recall_request(
        session, world.engine(), world.users["manager"], request.id, "Клиент передумал", world.clock.now()
    )
    session.commit()
    request = world.refresh(request)
    assert (request.status, request.open_key) == ("recalled", None)
    assert session.get(ProcessInstance, request.instance_id).status == InstanceStatus.CANCELLED
    assert world.open_tasks(request.instance_id) == []
    assert _notes(session, world.users["head"], "discount_request")[-1].title.startswith(
        "Запрос скидки отозван"
    )


def test_deadlines_remind_report_and_escalate_each_once(world, session, app):
    request = world.ask(world.deal(), "8").request
    task = world.task(request)
    assert task.due_at == world.clock.now() + timedelta(days=1)
    for hours in (21, 3, 5):  # remind 4 h before, overdue at the due time, escalate after the 4 h grace
        world.clock.advance(timedelta(hours=hours))
        fire_due_timers(world.factory, world.services)
        fire_due_timers(world.factory, world.services)
    session.expire_all()
    task = world.task(request)
    assert task.reminded_at and task.overdue_notified_at and task.escalated_at
    senior, head = world.users["senior"], world.users["head"]
    assert [n.kind for n in _notes(session, senior, "task_reminder")] == ["task_reminder"]
    assert [n.kind for n in _notes(session, senior, "task_overdue")] == ["task_overdue"]
    assert len(_notes(session, head, "task_escalated")) == 1  # the senior manager's manager


def test_escalation_keeps_the_discussion_in_front_of_the_next_level(world, session):
    """The senior manager discusses in the task (@mention), escalates; the head's panel shows it all."""
    request = world.ask(world.deal(), "8").request
    senior_task = world.task(request)
    comment_on_task(
        session,
        world.users["senior"],
        "process",
        senior_task.id,
        "@head клиент грозит уйти к РЕСО, посмотрите, пожалуйста",
        world.clock.now(),
    )
    session.commit()
    assert _notes(session, world.users["head"], "mention")[-1].body.startswith("@head клиент грозит уйти")
    world.decide(request, "senior", "escalate", "Решение за руководителем: крупный клиент")
    head_task = world.task(request)
    panel = task_panel(session, world.users["head"], head_task)
    assert [c.body for c in panel.discussion] == ["@head клиент грозит уйти к РЕСО, посмотрите, пожалуйста"]
    assert [(s.action, s.comment) for s in panel.request.steps if s.action == "escalated"] == [
        ("escalated", "Решение за руководителем: крупный клиент")
    ]
