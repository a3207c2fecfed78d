"""Acceptance 3: «Продлено» creates the new contract linked to the old one; «Не продлено» needs a reason."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.errors import FormValidationError
from models.contracts.contracts import Contract, ContractStatus, chain
from models.contracts.renewals import RenewalStatus
from models.sales.deals import Deal, DealError, DealStatus, move_stage
from models.tasks.process_tasks import complete_process_task

MONDAY = date(2026, 3, 2)


def _started(world):
    contract = world.contract(ends_on=MONDAY + timedelta(days=40), product="КАСКО", number="КАСКО-2025-001")
    world.at(MONDAY)
    world.tick()
    [process] = world.instances("renewal")
    return contract, process


def _complete(world, session, process, element, data, user="manager"):
    [task] = world.open_tasks(process.id, element)
    done = complete_process_task(session, world.engine(), world.users[user], task.id, data)
    session.commit()
    return done


def _to_outcome(world, session, process):
    _complete(world, session, process, "prepare_offer", {"premium": "1250000"})
    _complete(
        world, session, process, "contact_dm", {"decision_maker": "Финдиректор", "result": "Готов продлевать"}
    )
    [task] = world.open_tasks(process.id, "renewal_outcome")
    return task


def test_renewed_creates_the_new_contract_linked_to_the_old_one(world, session):
    old, process = _started(world)
    _to_outcome(world, session, process)
    _complete(
        world,
        session,
        process,
        "renewal_outcome",
        {
            "outcome": "renewed",
            "contract_number": "КАСКО-2026-001",
            "contract_start": "2026-04-11",
            "contract_end": "2027-04-10",
            "contract_premium": "1250000",
        },
    )
    session.expire_all()
    renewal = world.renewal(old)
    new = session.scalar(select(Contract).where(Contract.number == "КАСКО-2026-001"))
    assert (renewal.status, renewal.new_contract_id) == (RenewalStatus.RENEWED, new.id)
    assert new.renewed_from_id == old.id and new.product == "КАСКО" and new.client_id == old.client_id
    assert (new.starts_on, new.ends_on, new.premium) == (
        date(2026, 4, 11),
        date(2027, 4, 10),
        Decimal("1250000.00"),
    )
    assert [p.amount for p in new.payments] == [Decimal("1250000.00")]
    assert session.get(Contract, old.id).status == ContractStatus.RENEWED
    assert [c.number for c in chain(session, new)] == ["КАСКО-2025-001", "КАСКО-2026-001"]
    deal = session.get(Deal, renewal.deal_id)
    assert (deal.status, deal.stage.code, deal.contract_number) == (DealStatus.WON, "won", "КАСКО-2026-001")


def test_not_renewed_without_a_reason_is_refused_and_with_one_is_recorded(world, session):
    old, process = _started(world)
    task = _to_outcome(world, session, process)
    with pytest.raises(FormValidationError) as refused:
        complete_process_task(
            session,
            world.engine(),
            world.users["manager"],
            task.id,
            {"outcome": "not_renewed", "loss_reason": ""},
        )
    session.rollback()
    assert "loss_reason" in refused.value.errors
    assert world.renewal(old).status == RenewalStatus.STARTED
    assert session.get(Deal, world.renewal(old).deal_id).status == DealStatus.OPEN
    _complete(
        world,
        session,
        process,
        "renewal_outcome",
        {
            "outcome": "not_renewed",
            "loss_reason": "Ушёл к другому брокеру",
            "loss_comment": "Дешевле на 20 %",
        },
    )
    renewal = world.renewal(old)
    assert renewal.status == RenewalStatus.NOT_RENEWED
    assert renewal.reason == "Ушёл к другому брокеру: Дешевле на 20 %"
    assert renewal.new_contract_id is None
    deal = session.get(Deal, renewal.deal_id)
    assert (deal.status, deal.stage.code, deal.loss_reason.name) == (
        DealStatus.LOST,
        "lost",
        "Ушёл к другому брокеру",
    )


def test_on_the_deal_card_not_renewed_also_needs_a_reason_and_renewed_the_contract_data(world, session):
    old, _process = _started(world)
    deal = session.get(Deal, world.renewal(old).deal_id)
    with pytest.raises(DealError) as no_reason:
        move_stage(session, deal, "lost", user_id=world.users["manager"].id, now=world.clock.now(), data={})
    assert "loss_reason_id" in no_reason.value.errors
    with pytest.raises(DealError) as no_data:
        move_stage(session, deal, "won", user_id=world.users["manager"].id, now=world.clock.now(), data={})
    assert set(no_data.value.errors) >= {
        "contract_number",
        "contract_start",
        "contract_end",
        "contract_premium",
    }
    session.rollback()
    deal = session.get(Deal, world.renewal(old).deal_id)
    move_stage(
        session,
        deal,
        "won",
        user_id=world.users["manager"].id,
        now=world.clock.now(),
        data={
            "contract_number": "КАСКО-2026-777",
            "contract_start": "2026-04-11",
            "contract_end": "2027-04-10",
            "contract_premium": "1300000",
        },
    )
    session.commit()
    renewal = world.renewal(old)
    assert renewal.status == RenewalStatus.RENEWED
    assert renewal.new_contract.renewed_from_id == old.id
