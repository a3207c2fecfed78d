"""Acceptance 2: a high loss ratio and a changed ЛПР put a contract in the red zone, with both reasons,
and its senior manager gets «Подключиться к переговорам» once (again only after a zone change)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from models.clients.cards import Contact
from models.contracts.renewals import ContractRisk
from models.contracts.risk import RiskSettingsError, assess, save_settings
from models.notifications.service import Notification
from models.sales.activities import log_activity
from models.tasks.adhoc import Task


def _join_tasks(session):
    session.expire_all()
    return list(session.scalars(select(Task).where(Task.title.startswith("Подключиться к переговорам"))))


def _risky(world, session):
    # The audit log stamps rows with the wall clock: the test clock stands at the real today.
    world.clock.set(datetime.now(UTC).replace(microsecond=0))
    client = world.client(loss_ratio=120, product="КАСКО")
    contact = Contact(client_id=client.id, full_name="Пётр Ильич Сидоров", position="Генеральный директор")
    session.add(contact)
    session.commit()
    contact.is_decision_maker = True  # the new ЛПР, recorded by the audit log
    session.commit()
    return world.contract(client, ends_on=world.clock.now().date() + timedelta(days=40), product="КАСКО")


def test_high_loss_ratio_and_a_new_decision_maker_mean_red_zone_and_one_task_for_the_senior(world, session):
    contract = _risky(world, session)
    world.tick(schedulers=2)
    risk = session.get(ContractRisk, contract.id)
    assert risk.zone == "red" and risk.score >= 60
    reasons = {s["code"]: s["reason"] for s in risk.signals}
    assert reasons["loss_ratio"] == "убыточность по «КАСКО» за 3 года 120 % > 70 %"
    assert reasons["dm_changed"].startswith("ЛПР сменился ")
    assert "Пётр Ильич Сидоров" in reasons["dm_changed"]
    [task] = _join_tasks(session)
    assert task.assignee_id == world.users["senior"].id and task.priority == 1
    assert "убыточность по «КАСКО» за 3 года 120 % > 70 %" in task.description
    assert "Сменился ЛПР" in task.description
    assert risk.alert_task_id == task.id
    notes = session.scalars(select(Notification).where(Notification.kind == "churn_risk")).all()
    assert [n.user_id for n in notes] == [world.users["senior"].id]

    world.clock.advance(timedelta(days=1))
    world.tick(schedulers=2)
    session.expire_all()
    assert session.get(ContractRisk, contract.id).assessed_on == world.clock.now().date()
    assert len(_join_tasks(session)) == 1  # still red: nobody is pulled in twice


def test_leaving_and_reentering_the_red_zone_pulls_the_senior_in_again(world, session):
    contract = _risky(world, session)
    world.tick()
    assert len(_join_tasks(session)) == 1
    save_settings(session, {"red_from": "200"})
    session.commit()
    world.clock.advance(timedelta(days=1))
    world.tick()
    session.expire_all()
    assert session.get(ContractRisk, contract.id).zone == "yellow"
    save_settings(session, {"red_from": "60"})
    session.commit()
    world.clock.advance(timedelta(days=1))
    world.tick()
    session.expire_all()
    assert session.get(ContractRisk, contract.id).zone == "red"
    assert len(_join_tasks(session)) == 2


def test_other_signals_and_the_thresholds(world, session):
    contract = _risky(world, session)
    log_activity(
        session,
        kind="complaint",
        subject="Жалоба на урегулирование убытка",
        happened_at=None,
        now=world.clock.now(),
        user_id=world.users["manager"].id,
        client_id=contract.client_id,
    )
    contract.payments[0].due_on = world.clock.now().date() - timedelta(days=5)
    session.commit()
    score, zone, signals = assess(session, contract, world.clock.now())
    codes = [s.code for s in signals]
    assert codes == ["loss_ratio", "complaint", "dm_changed", "overdue"]  # the complaint broke the silence
    assert zone == "red" and score == 40 + 25 + 30 + 25
    save_settings(session, {"loss_ratio_pct": "150"})
    assert "loss_ratio" not in [s.code for s in assess(session, contract, world.clock.now())[2]]
    with pytest.raises(RiskSettingsError) as bad:
        save_settings(session, {"yellow_from": "90", "red_from": "80", "nope": "1", "dm_days": "-3"})
    assert set(bad.value.errors) == {"nope", "dm_days"}
