"""Premiums, losses and loss ratio by client, product and year; LTV potential and cross-sell; branches."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from models.clients.cards import Client
from models.insurance.analytics import client_context, history, loss_ratio, period_years
from models.insurance.policies import Claim, Policy, PolicyStatus, product_line
from tests.statements import counted

D = Decimal


def _policy(session, client, number, product, premium, start, *, status=PolicyStatus.ACTIVE):
    policy = Policy(
        client_id=client.id,
        number=number,
        product=product,
        premium=D(premium),
        starts_on=start,
        ends_on=date(start.year + 1, start.month, start.day),
        status=status,
    )
    session.add(policy)
    session.flush()
    return policy


def _claim(session, client, number, product, day, paid, reserved="0", policy=None):
    session.add(
        Claim(
            client_id=client.id,
            number=number,
            product=product,
            occurred_on=day,
            paid=D(paid),
            reserved=D(reserved),
            policy_id=policy.id if policy else None,
        )
    )


def test_loss_ratio_by_product_and_year_for_the_last_three_years(session, demo_users):
    today = date(2026, 3, 15)
    company = Client(kind="company", full_name="ООО «Склад»", segment="Средний", owner=demo_users["manager"])
    session.add(company)
    session.flush()
    for year, premium in ((2023, "900000"), (2024, "1000000"), (2025, "1200000"), (2026, "1300000")):
        _policy(session, company, f"К-{year}", "КАСКО", premium, date(year, 2, 1))
    _policy(session, company, "И-2025", "Имущество", "200000", date(2025, 5, 1))
    _policy(
        session, company, "И-2024x", "Имущество", "999999", date(2024, 5, 1), status=PolicyStatus.CANCELLED
    )
    _claim(session, company, "У1", "КАСКО", date(2023, 6, 1), "800000")  # outside the three years
    _claim(session, company, "У2", "КАСКО", date(2024, 6, 1), "300000", "100000")
    _claim(session, company, "У3", "КАСКО", date(2026, 2, 10), "0", "650000")
    _claim(session, company, "У4", "Имущество", date(2025, 9, 1), "50000")
    session.commit()

    assert period_years(today) == [2024, 2025, 2026]
    [kasko, prop] = history(session, company.id, today)
    assert [(y.year, y.premium, y.losses, y.claims) for y in kasko.years] == [
        (2024, D("1000000"), D("400000"), 1),
        (2025, D("1200000"), D("0"), 0),
        (2026, D("1300000"), D("650000"), 1),
    ]
    assert [y.loss_ratio for y in kasko.years] == [D("40.0"), D("0.0"), D("50.0")]
    assert kasko.loss_ratio == D("30.0")  # 1 050 000 / 3 500 000
    assert (prop.product, prop.premium, prop.losses, prop.loss_ratio) == (
        "Имущество",
        D("200000"),
        D("50000"),
        D("25.0"),
    )
    assert loss_ratio(session, company.id, "КАСКО", today) == D("30.0")
    assert loss_ratio(session, company.id, None, today) == D("29.7")  # 1 100 000 / 3 700 000
    assert loss_ratio(session, company.id, "ДМС", today) is None


def test_ltv_premium_in_force_cross_sell_and_branches(session, demo_users):
    today = date(2026, 3, 15)
    owner = demo_users["manager"]
    head = Client(
        kind="company",
        full_name="АО «Север»",
        inn="7707083893",
        kpp="770701001",
        segment="Крупный",
        owner=owner,
    )
    branch = Client(
        kind="company",
        full_name="АО «Север», филиал в Казани",
        short_name="Север — Казань",
        inn="7707083893",
        kpp="165601001",
        segment="Крупный",
        owner=owner,
    )
    peer = Client(kind="company", full_name="АО «Юг»", segment="Крупный", owner=owner)
    small = Client(kind="company", full_name="ООО «Малыш»", segment="Малый", owner=owner)
    session.add_all([head, branch, peer, small])
    session.flush()
    _policy(session, head, "К-1", "КАСКО", "2000000", date(2026, 1, 10))
    _policy(session, head, "К-0", "КАСКО", "1800000", date(2025, 1, 10))  # expired last January
    _policy(session, peer, "Д-1", "ДМС", "3000000", date(2026, 2, 1))
    _policy(session, peer, "Д-2", "ДМС", "1000000", date(2025, 12, 1))
    _policy(
        session, small, "Д-3", "ДМС", "90000", date(2026, 2, 1)
    )  # another segment: not typical for «Крупный»
    session.commit()

    context = client_context(session, head, today)
    assert (context.annual_premium, context.held, context.client_since) == (D("2000000"), ["КАСКО"], 2025)
    typical = {c.product: c.typical_premium for c in context.cross_sell}
    assert typical["ДМС"] == D("2000000") and typical["ОСАГО"] is None
    assert "КАСКО" not in typical
    assert context.potential_premium == D("2000000")
    assert [(b.name, b.kpp, b.insured) for b in context.branches] == [("Север — Казань", "165601001", False)]


def test_the_typical_premiums_of_every_missing_product_are_one_statement(session, engine, demo_users):
    """A client holding no product asks the typical premium of every line: one statement, not one each."""
    today = date(2026, 6, 1)
    owner = demo_users["manager"]
    lonely = Client(kind="company", full_name="ООО «Новичок»", segment="Крупный", owner=owner)
    peer = Client(kind="company", full_name="АО «Сосед»", segment="Крупный", owner=owner)
    session.add_all([lonely, peer])
    session.flush()
    _policy(session, peer, "Д-9", "ДМС", "3000000", date(2026, 2, 1))
    _policy(session, peer, "К-9", "КАСКО", "1000000", date(2026, 3, 1))
    session.commit()
    with counted(engine) as seen:
        context = client_context(session, lonely, today)
    typical = {c.product: c.typical_premium for c in context.cross_sell}
    assert len(typical) >= 3 and typical["ДМС"] == D("3000000") and typical["КАСКО"] == D("1000000")
    assert sum("avg(" in statement.lower() for statement in seen) == 1, seen


def test_product_lines_are_recognised_in_the_usual_spellings():
    assert [
        product_line(t)
        for t in ("каско", "Страхование грузов", "ДМС", "ГРАЖДАНСКАЯ ОТВЕТСТВЕННОСТЬ", "жизнь", "")
    ] == ["КАСКО", "Грузы", "ДМС", "Ответственность", None, None]
