"""Acceptance 4: a deal cannot enter «КП отправлено» while its stage rules fail (reasons shown), and the
nightly audit opens one fix task per owner listing the records and closes it when they are fixed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.tables import InstanceStatus, ProcessInstance
from models.clients.cards import Client
from models.quality.audit import TASK_TITLE, QualityIssue
from models.quality.rules import ensure_default_rules
from models.sales.deals import Deal, DealError, open_deal
from models.sales.funnels import funnel_by_code
from models.sales.service import move_deal
from models.tasks.adhoc import Task
from tests.conftest import csrf_from, login


@pytest.fixture
def rules(world):
    ensure_default_rules(world.session)
    world.session.commit()


def _deal(world, client, **fields) -> Deal:
    deal = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                     owner_id=client.owner_id, now=world.clock.now(), **fields)
    world.session.commit()
    return deal


def _good_client(world, owner="manager", name="ООО «Полный»") -> Client:
    return world.client(owner=owner, name=name, inn="7707083893", kpp="773601001", legal_address="Москва",
                        phone="+74951234567")


def test_a_deal_cannot_enter_offer_sent_while_its_rules_fail(world, rules):
    bare = world.client(name="ООО «Пустой»")
    deal = _deal(world, bare)
    with pytest.raises(DealError) as refused:
        move_deal(world.session, world.users["manager"], deal.id, "offer_sent", {}, world.clock.now())
    text = refused.value.errors["stage"][0]
    assert text.startswith("Сделку нельзя перевести в «КП отправлено»")
    for reason in ("укажите премию", "страховую сумму", "хотя бы один продукт", "Карточка клиента неполна"):
        assert reason in text
    world.session.rollback()
    assert world.session.get(Deal, deal.id).stage.code == "new"
    # jumping past it is gated too; losing the deal is not
    with pytest.raises(DealError):
        move_deal(world.session, world.users["manager"], deal.id, "negotiation", {}, world.clock.now())
    world.session.rollback()
    ok = _deal(world, _good_client(world), amount=Decimal("1000000"), premium=Decimal("25000"),
               product_lines=["КАСКО"])
    move_deal(world.session, world.users["manager"], ok.id, "offer_sent", {}, world.clock.now())
    world.session.commit()
    assert world.session.get(Deal, ok.id).stage.code == "offer_sent"


def test_the_deal_page_shows_the_reasons(world, rules, client):
    deal = _deal(world, world.client(name="ООО «Пустой»"))
    login(client, "manager")
    token = csrf_from(client.get(f"/deals/{deal.id}").get_data(as_text=True))
    answer = client.post(f"/deals/{deal.id}/stage", data={"csrf_token": token, "stage": "offer_sent"})
    assert answer.status_code == 422
    assert "Для КП укажите премию" in answer.get_data(as_text=True)


def test_nightly_audit_one_task_per_owner_closed_when_fixed(world, rules, app):
    first = world.client(name="ООО «Без КПП»", inn="7707083893", legal_address="Москва", phone="+74951234567")
    second = world.client(name="ООО «Без адреса»", inn="7707083893", kpp="773601001")
    theirs = world.client(owner="manager2", name="ООО «Чужой пустой»")
    _good_client(world, owner="manager3")
    engine = world.engine()
    instance = engine.start("data_quality_audit", {})
    world.session.commit()
    assert instance.status == InstanceStatus.COMPLETED
    tasks = list(world.session.scalars(select(Task).where(Task.title == TASK_TITLE, Task.is_open.is_(True))))
    assert sorted(t.assignee_id for t in tasks) == sorted([world.users["manager"].id,
                                                           world.users["manager2"].id])
    mine = next(t for t in tasks if t.assignee_id == world.users["manager"].id)
    assert "ООО «Без КПП»" in mine.description and "ООО «Без адреса»" in mine.description
    assert "Чужой" not in mine.description
    # a second night changes nothing: still one task per owner
    world.clock.advance(timedelta(days=1))
    engine.start("data_quality_audit", {})
    world.session.commit()
    assert world.session.query(Task).filter(Task.title == TASK_TITLE).count() == 2
    # the manager fixes both cards; the next audit closes the task and keeps the history
    for row, values in ((first, {"kpp": "773601001"}), (second, {"legal_address": "Москва",
                                                                 "phone": "+74950000000"})):
        card = world.session.get(Client, row.id)
        for key, value in values.items():
            setattr(card, key, value)
    world.session.commit()
    world.clock.advance(timedelta(days=1))
    engine.start("data_quality_audit", {})
    world.session.commit()
    world.session.expire_all()
    assert world.session.get(Task, mine.id).is_open is False
    assert world.session.get(Task, mine.id).status == "done"
    other = next(t for t in tasks if t.assignee_id == world.users["manager2"].id)
    assert world.session.get(Task, other.id).is_open is True
    fixed = world.session.scalars(select(QualityIssue).where(QualityIssue.fixed_at.is_not(None))).all()
    assert {i.record_id for i in fixed} == {first.id, second.id}
    audits = select(ProcessInstance.id).where(ProcessInstance.process_key == "data_quality_audit")
    assert world.session.scalar(audits)
    assert theirs.id


def test_dashboard_and_rules_pages(world, rules, client, app):
    world.client(name="ООО «Пустой»")
    world.engine().start("data_quality_audit", {})
    world.session.commit()
    login(client, "head")
    board = client.get("/quality/").get_data(as_text=True)
    assert "Иван Сергеевич Петров" in board and "Полнота" in board and "Нет ни телефона, ни e-mail" in board
    client = app.test_client()
    login(client, "admin")
    page = client.get("/quality/rules")
    token = csrf_from(page.get_data(as_text=True))
    bad = client.post("/quality/rules", data={"csrf_token": token, "record": "client", "check": "format",
                                              "field": "nope", "pattern": "([", "message": ""})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Неверное регулярное выражение" in text and "Укажите поле карточки" in text
    good = client.post("/quality/rules", data={"csrf_token": token, "record": "client", "check": "format",
                                               "field": "email", "pattern": r"[^@]+@[^@]+",
                                               "message": "Странный e-mail"})
    assert good.status_code == 302
    manager = app.test_client()
    login(manager, "manager")
    assert manager.get("/quality/rules").status_code == 403
