"""The senior manager's loss-reason review queue and the list of workflow violations (refused attempts
kept although the attempt itself rolled back)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models.discounts.requests import DiscountViolation
from models.quality.loss_review import LossReview
from models.quality.rules import ensure_default_rules
from models.quality.violations import WorkflowViolation
from models.sales.deals import Deal, DealError, move_stage, open_deal
from models.sales.funnels import LossReason, funnel_by_code
from models.tasks.adhoc import Task
from tests.conftest import csrf_from, login


def _deal(world, owner="manager", name="ООО «Пустой»", **fields) -> Deal:
    client = world.client(owner=owner, name=name)
    deal = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=client.owner_id, now=world.clock.now(), **fields)
    world.session.commit()
    return deal


def _lost(world, owner="manager", name="ООО «Ушёл»", comment="Дешевле у конкурента") -> Deal:
    deal = _deal(world, owner=owner, name=name)
    reason = world.session.scalar(select(LossReason).order_by(LossReason.id).limit(1))
    move_stage(world.session, deal, "lost", user_id=deal.owner_id, now=world.clock.now(),
               data={"loss_reason_id": str(reason.id), "loss_comment": comment})
    world.session.commit()
    return deal


def test_a_refused_stage_gate_is_kept_although_the_move_rolls_back(world, client):
    ensure_default_rules(world.session)
    world.session.commit()
    deal = _deal(world)
    with pytest.raises(DealError):
        move_stage(world.session, deal, "offer_sent", user_id=world.users["manager"].id,
                   now=world.clock.now())
    world.session.rollback()
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal.id}").get_data(as_text=True))
    assert client.post(f"/deals/{deal.id}/stage", data={"csrf_token": token,
                                                        "stage": "offer_sent"}).status_code == 422
    world.session.expire_all()
    rows = list(world.session.scalars(select(WorkflowViolation).where(WorkflowViolation.deal_id == deal.id)))
    assert len(rows) == 2 and {r.kind for r in rows} == {"stage_gate"}
    assert all(r.target == "КП отправлено" and "Для КП укажите премию" in r.message for r in rows)
    assert world.session.get(Deal, deal.id).stage.code == "new"
    # a КП above the approved discount (kept by the discounts package) is listed beside them
    world.session.add(DiscountViolation(deal_id=deal.id, product="КАСКО", discount_pct=Decimal("15"),
                                        source="deal_card", user_id=world.users["manager"].id,
                                        message="Скидка 15 % не согласована", at=world.clock.now()))
    world.session.commit()
    senior = client.application.test_client()
    login(senior, "senior")
    page = senior.get("/quality/violations").get_data(as_text=True)
    assert page.count("Переход этапа отклонён проверкой данных") == 2
    assert "КП без согласования" in page and "Скидка 15 % не согласована" in page
    assert "Иван Сергеевич Петров" in page


def test_the_senior_manager_reviews_the_teams_loss_reasons(world, app):
    ensure_default_rules(world.session)  # losing a deal is never gated
    world.session.commit()
    justified = _lost(world, name="ООО «Дорого»")
    doubtful = _lost(world, owner="manager2", name="ООО «Сомнительно»", comment="Не дозвонились")
    elsewhere = _lost(world, owner="backoffice", name="ООО «Чужая команда»")
    senior = app.test_client()
    login(senior, "senior")
    page = senior.get("/quality/losses").get_data(as_text=True)
    assert "ООО «Дорого»" in page and "Не дозвонились" in page and "Чужая команда" not in page
    token = csrf_from(page)
    refused = senior.post(f"/quality/losses/{doubtful.id}", data={"csrf_token": token, "verdict": "reopen"})
    assert refused.status_code == 422 and "Напишите менеджеру" in refused.get_data(as_text=True)
    assert senior.post(f"/quality/losses/{elsewhere.id}", data={"csrf_token": token,
                                                                "verdict": "justified"}).status_code == 404
    assert senior.post(f"/quality/losses/{justified.id}", data={"csrf_token": token,
                                                                "verdict": "justified"}).status_code == 302
    assert senior.post(f"/quality/losses/{doubtful.id}", data={
        "csrf_token": token, "verdict": "reopen", "note": "Позвоните ЛПР ещё раз"}).status_code == 302
    again = senior.post(f"/quality/losses/{doubtful.id}", data={"csrf_token": token, "verdict": "justified"})
    assert again.status_code == 422 and "уже проверена" in again.get_data(as_text=True)
    world.session.expire_all()
    verdicts = {r.deal_id: r.verdict for r in world.session.scalars(select(LossReview))}
    assert verdicts == {justified.id: "justified", doubtful.id: "reopen"}
    [task] = world.session.scalars(select(Task).where(Task.business_type == "deal",
                                                      Task.business_id == doubtful.id))
    assert task.assignee_id == world.users["manager2"].id and "Позвоните ЛПР ещё раз" in task.description
    page = senior.get("/quality/losses").get_data(as_text=True)
    assert "Все проигрыши проверены" in page and "Вернуть в работу" in page
    manager = app.test_client()
    login(manager, "manager")
    assert manager.get("/quality/losses").status_code == 403
