"""Payments published by the 1С exchange (``payment.received``) settle the contract's
instalments in due order, each only when covered whole; an unknown contract changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from models.platform.events import publish


def _paid(world, contract) -> list[tuple[str, str | None]]:
    world.session.expire_all()
    return [(str(p.amount), p.paid_on.isoformat() if p.paid_on else None)
            for p in sorted(contract.payments, key=lambda p: p.due_on)]


def test_a_payment_from_1c_settles_the_earliest_instalments_it_covers(world):
    contract = world.contract(ends_on=world.clock.now().date() + timedelta(days=200), premium="1200000",
                              number="Д-2026/15", instalments=4)
    day = world.clock.now().date()
    publish(world.session, "payment.received",
            {"payment_id": 1, "contract_number": "Д-2026/15", "client_id": contract.client_id,
             "amount": "700000.00", "paid_on": day.isoformat(), "number": "00-000123"}, world.clock.now())
    world.session.commit()
    assert _paid(world, contract) == [("300000.00", day.isoformat()), ("300000.00", day.isoformat()),
                                      ("300000.00", None), ("300000.00", None)]
    assert sum(Decimal(a) for a, paid in _paid(world, contract) if paid) == Decimal("600000")


def test_a_payment_for_an_unknown_contract_or_with_bad_figures_changes_nothing(world):
    contract = world.contract(ends_on=world.clock.now().date() + timedelta(days=200), number="Д-1",
                              instalments=2)
    for payload in ({"contract_number": "Д-999", "amount": "1200000", "paid_on": "2026-11-30"},
                    {"contract_number": "Д-1", "amount": "много", "paid_on": "2026-11-30"},
                    {"contract_number": "Д-1", "amount": "100", "paid_on": "вчера"},
                    {"contract_number": None, "amount": "100", "paid_on": "2026-11-30"}):
        publish(world.session, "payment.received", payload, world.clock.now())
    world.session.commit()
    assert all(paid is None for _amount, paid in _paid(world, contract))
