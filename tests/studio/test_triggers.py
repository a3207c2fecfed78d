"""Triggers: a domain event (deal stage changed, client created) starts a process or sends a message,
configured as data, audited, with a log of what each trigger started."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from engine.tables import ProcessInstance
from models.clients.cards import Client
from models.clients.service import register_client
from models.platform.audit import AuditLog
from models.platform.jobs import JobContext
from models.platform.registry import installed
from models.sales.deals import Deal, move_stage, open_deal
from models.sales.funnels import Funnel
from models.studio.tables import ProcessTrigger, TriggerFiring
from models.studio.triggers import run_pending
from tests.clients.conftest import company_values
from tests.conftest import csrf_from
from web.scheduler import session_factory


def _job(app, world) -> int:
    context = JobContext(
        session_factory=session_factory(app),
        clock=world.clock,
        settings=app.extensions["crm.settings"],
        registry=installed(),
    )
    return run_pending(context)


def _deal(world) -> Deal:
    session = world.session
    client = Client(
        kind="company", full_name="ООО «Триггер»", inn="7707083893", owner_id=world.users["manager"].id
    )
    session.add(client)
    funnel = session.scalar(select(Funnel).where(Funnel.code == "company"))
    deal = open_deal(
        session,
        client=client,
        funnel=funnel,
        owner_id=world.users["manager"].id,
        now=world.clock.now(),
        premium=Decimal("500000"),
    )
    session.commit()
    return deal


def _form(client, **fields):
    token = csrf_from(client.get("/studio/triggers").get_data(as_text=True))
    return {"csrf_token": token, "active": "1", **fields}


def test_a_stage_change_starts_the_configured_process(app, world, as_user, session):
    analyst = as_user("analyst")
    answer = analyst.post(
        "/studio/triggers",
        data=_form(
            analyst,
            name="Переговоры — перезвонить",
            event="deal.stage_changed",
            action="start",
            process_key="client_callback",
            condition='to_stage == "negotiation"',
            mapping='company = "сделка №" + str(deal_id)\nassignee = owner_id\ndue_in = "P1D"',
        ),
    )
    assert answer.status_code == 302
    trigger = session.scalar(select(ProcessTrigger))
    assert trigger.mapping == {
        "company": '"сделка №" + str(deal_id)',
        "assignee": "owner_id",
        "due_in": '"P1D"',
    }
    audit = session.scalars(select(AuditLog).where(AuditLog.entity_type == "studio_trigger")).all()
    assert {a.user_id for a in audit} == {world.users["analyst"].id} and "condition" in {
        a.field for a in audit
    }

    deal = _deal(world)
    move_stage(world.session, deal, "qualification", user_id=None, now=world.clock.now())
    world.session.commit()
    assert session.scalar(select(TriggerFiring)) is None  # the condition did not hold
    move_stage(world.session, deal, "negotiation", user_id=None, now=world.clock.now())
    world.session.commit()
    session.expire_all()
    [firing] = session.scalars(select(TriggerFiring)).all()
    assert firing.status == "pending" and firing.payload["to_stage"] == "negotiation"
    assert _job(app, world) == 1
    session.expire_all()
    firing = session.get(TriggerFiring, firing.id)
    assert firing.status == "started"
    [instance] = session.scalars(
        select(ProcessInstance).where(ProcessInstance.process_key == "client_callback")
    )
    assert firing.instance_ids == [instance.id]
    assert (instance.business_type, instance.business_id) == ("deal", deal.id)
    log = analyst.get(f"/studio/triggers?trigger={trigger.id}").get_data(as_text=True)
    assert "процесс запущен" in log and f"№{instance.id}" in log


def test_a_broken_trigger_is_logged_and_the_change_goes_on(app, world, session):
    session.add(
        ProcessTrigger(
            name="Сломанный",
            event="client.created",
            action="start",
            process_key="client_callback",
            condition="inn.startswith('77')",
            mapping={"company": "nonexistent + 1"},
            active=True,
        )
    )
    session.add(
        ProcessTrigger(
            name="Не тот процесс",
            event="client.created",
            action="start",
            process_key="client_data_review",
            mapping={},
            condition=None,
            active=True,
        )
    )
    session.commit()
    client = register_client(
        world.session,
        world.users["backoffice"],
        company_values("Новый клиент", inn="7707083893"),
        ignore_duplicates=True,
        now=world.clock.now(),
    )
    world.session.commit()
    assert client.id is not None
    session.expire_all()
    firings = {f.trigger_id: f for f in session.scalars(select(TriggerFiring))}
    broken, review = sorted(firings.values(), key=lambda f: f.trigger_id)
    assert broken.status == "failed" and "nonexistent" in broken.message
    assert review.status == "pending" and review.payload["client_id"] == client.id
    assert _job(app, world) == 1
    session.expire_all()
    review = session.get(TriggerFiring, review.id)
    assert review.status == "started"


def test_a_trigger_form_with_mistakes_is_refused_in_russian(world, as_user, session):
    analyst = as_user("analyst")
    answer = analyst.post(
        "/studio/triggers",
        data=_form(
            analyst,
            name="",
            event="deal.stage_changed",
            action="start",
            process_key="nope",
            condition="__import__('os')",
            mapping="x = 1",
        ),
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert (
        "Назовите триггер" in page
        and "Выберите развёрнутый процесс" in page
        and "Условие не допускается" in page
    )
    assert session.scalar(select(ProcessTrigger)) is None
    bad_mapping = analyst.post(
        "/studio/triggers",
        data=_form(
            analyst,
            name="x",
            event="client.created",
            action="start",
            process_key="client_callback",
            mapping="без знака равенства",
        ),
    )
    assert bad_mapping.status_code == 422 and "ожидается «переменная = выражение»" in bad_mapping.get_data(
        as_text=True
    )
    manager = as_user("manager")
    assert manager.get("/studio/triggers").status_code == 403


def test_a_message_trigger_correlates_by_the_business_object(app, world, session):
    session.add(
        ProcessTrigger(
            name="Сообщение",
            event="deal.stage_changed",
            action="message",
            message_name="deal_moved",
            mapping={"stage": "to_stage"},
            condition=None,
            active=True,
        )
    )
    session.commit()
    deal = _deal(world)
    move_stage(world.session, deal, "qualification", user_id=None, now=world.clock.now())
    world.session.commit()
    assert _job(app, world) == 1
    session.expire_all()
    [firing] = session.scalars(select(TriggerFiring)).all()
    assert firing.status == "sent" and firing.message == "никто не ждал это сообщение; оно сохранено"
    assert firing.data["stage"] == "qualification"
