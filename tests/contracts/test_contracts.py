"""Contracts from won deals, payments, the import of the book of business."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models.contracts.contracts import Contract, ContractStatus, schedule
from models.contracts.service import ContractError, import_contracts, record_payment
from models.sales.deals import move_stage, open_deal
from models.sales.funnels import funnel_by_code


def test_a_won_deal_becomes_a_contract_with_its_payment(world, session):
    client = world.client()
    deal = open_deal(
        session,
        client=client,
        funnel=funnel_by_code(session, "company"),
        owner_id=client.owner_id,
        now=world.clock.now(),
        amount=Decimal("30000000"),
        product_lines=["ДМС"],
    )
    move_stage(
        session,
        deal,
        "won",
        user_id=client.owner_id,
        now=world.clock.now(),
        data={
            "contract_number": "ДМС-77",
            "contract_start": "2026-03-10",
            "contract_end": "2027-03-09",
            "contract_premium": "2400000,50",
        },
    )
    session.commit()
    contract = session.scalar(select(Contract).where(Contract.deal_id == deal.id))
    assert (contract.number, contract.product, contract.client_id, contract.owner_id) == (
        "ДМС-77",
        "ДМС",
        client.id,
        client.owner_id,
    )
    assert (contract.starts_on, contract.ends_on, contract.premium, contract.insured_sum) == (
        date(2026, 3, 10),
        date(2027, 3, 9),
        Decimal("2400000.50"),
        Decimal("30000000.00"),
    )
    assert contract.status == ContractStatus.ACTIVE and contract.renewed_from_id is None
    assert [(p.due_on, p.amount) for p in contract.payments] == [(date(2026, 3, 10), Decimal("2400000.50"))]


def test_payments_split_evenly_and_become_overdue_until_paid(world, session):
    payments = schedule(date(2026, 1, 1), date(2026, 12, 31), Decimal("1000000"), 3)
    assert [p.amount for p in payments] == [Decimal("333333.33"), Decimal("333333.33"), Decimal("333333.34")]
    assert [p.due_on for p in payments] == [date(2026, 1, 1), date(2026, 5, 2), date(2026, 8, 31)]
    contract = world.contract(ends_on=date(2026, 12, 31), instalments=4)
    first = contract.payments[0]
    assert first.state(first.due_on) == "due" and first.state(first.due_on + timedelta(days=1)) == "overdue"
    manager = world.users["manager"]
    with pytest.raises(ContractError) as future:
        record_payment(session, manager, contract.id, first.id, "2030-01-01", "", date(2026, 3, 2))
    assert future.value.errors == {"paid_on": ["Дата оплаты не может быть в будущем"]}
    paid = record_payment(session, manager, contract.id, first.id, "2026-02-01", "", date(2026, 3, 2))
    session.commit()
    assert (paid.paid_on, paid.paid_amount, paid.state(date(2026, 3, 2))) == (
        date(2026, 2, 1),
        first.amount,
        "paid",
    )


CSV = (
    "Номер договора;ИНН;Продукт;Страховщик;Премия;Начало;Окончание;Менеджер;Платежей;Продление договора\n"
    "Д-1;{inn};КАСКО;СОГАЗ;1 200 000,50;01.04.2025;31.03.2026;manager2;4;\n"
    "Д-2;{inn};каско;СОГАЗ;1 300 000;01.04.2026;31.03.2027;;1;Д-1\n"
    "Д-3;0000000000;КАСКО;СОГАЗ;1 000;01.04.2026;31.03.2027;;1;\n"
    "Д-4;{inn};Космос;СОГАЗ;1 000;01.04.2026;31.03.2027;;1;\n"
)


def test_the_book_of_business_is_imported_matched_by_number(world, session):
    client = world.client()
    data = CSV.format(inn=client.inn).encode("utf-8")
    batch = import_contracts(
        session, world.users["backoffice"], data, "book.csv", dry_run=False, now=world.clock.now()
    )
    session.commit()
    assert (batch.created_count, batch.updated_count, batch.skipped_count, batch.rejected_count) == (
        2,
        0,
        0,
        2,
    )
    first = session.scalar(select(Contract).where(Contract.number == "Д-1"))
    second = session.scalar(select(Contract).where(Contract.number == "Д-2"))
    assert (first.premium, first.owner_id, len(first.payments)) == (
        Decimal("1200000.50"),
        world.users["manager2"].id,
        4,
    )
    assert second.renewed_from_id == first.id and second.owner_id == client.owner_id
    again = import_contracts(
        session, world.users["backoffice"], data, "book.csv", dry_run=False, now=world.clock.now()
    )
    session.commit()
    assert (again.created_count, again.skipped_count, again.rejected_count) == (0, 2, 2)
    with pytest.raises(Exception) as forbidden:
        import_contracts(
            session, world.users["manager"], data, "book.csv", dry_run=False, now=world.clock.now()
        )
    assert type(forbidden.value).__name__ == "AccessDenied"


def test_crm_import_contracts_command(world, session, app, tmp_path):
    from web.cli import cli

    client = world.client()
    path = tmp_path / "book.csv"
    path.write_text(CSV.format(inn=client.inn), encoding="cp1251")
    runner = app.test_cli_runner()
    tried = runner.invoke(cli, ["import", "contracts", str(path), "--dry-run"])
    assert tried.exit_code == 0, tried.output
    # A dry run writes nothing, so Д-2 cannot find Д-1 above it: the real run can.
    assert "Пробный прогон" in tried.output and "создано 1" in tried.output and "отклонено 3" in tried.output
    assert "Предыдущий договор № Д-1 не найден" in tried.output
    assert "Неизвестный продукт «Космос»" in tried.output
    assert session.query(Contract).count() == 0
    done = runner.invoke(cli, ["import", "contracts", str(path), "--user", "backoffice"])
    assert done.exit_code == 0 and "Импорт" in done.output
    assert session.query(Contract).count() == 2


def test_a_renewal_chain_is_read_whole_in_one_statement_from_any_link(world, session, engine):
    """Ten yearly renewals: from the middle link the card shows the predecessors oldest first, the
    contract, then the successors — and reads them in one statement, not one per link."""
    from models.contracts.contracts import chain
    from tests.statements import counted

    client = world.client()
    links: list[Contract] = []
    for year in range(10):
        contract = world.contract(client, ends_on=date(2017 + year, 6, 30), number=f"ДМС-{2016 + year}")
        if links:
            contract.renewed_from_id = links[-1].id
        links.append(contract)
    session.commit()
    lonely = world.contract(client, ends_on=date(2026, 6, 30), number="ДМС-одиночный")
    session.expire_all()
    middle = session.get(Contract, links[4].id)
    with counted(engine) as seen:
        found = chain(session, middle)
    assert [c.number for c in found] == [f"ДМС-{2016 + year}" for year in range(10)]
    assert found[4] is middle
    assert len(seen) == 1, seen  # 11 when each link was read on its own
    whole = [f"ДМС-{2016 + year}" for year in range(10)]
    assert [c.number for c in chain(session, session.get(Contract, links[0].id))] == whole
    assert [c.number for c in chain(session, session.get(Contract, links[-1].id))] == whole
    assert [c.number for c in chain(session, lonely)] == ["ДМС-одиночный"]
