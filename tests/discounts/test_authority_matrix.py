"""Acceptance 2: the authority matrix routes every band boundary, the loss-ratio override, deputies.

The table is the shipped ``processes/discount_authority.dmn``, deployed with
``discount_signoff`` and asked through ``ProcessEngine.decide`` exactly as the process's
business rule task asks it; the rule each case fires is checked too, and the table's own
``rule`` output must name the row that fired (so the request shows the right rule). The
process tests then send real requests through it: the lowest level whose limit covers the
request gets the task, an absent approver's deputy gets it, and nobody approves their own.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from models.discounts.pricing import AUTHORITY_TASK, PROCESS, TARIFF_TASK
from models.identity.users import Absence

D = Decimal
SMALL = D("1000000")  # base premium below the 5 000 000 ₽ band
LARGE = D("5000000")

# (role, product, discount %, base premium, loss ratio %) -> (level, rule)
MATRIX = [
    # the senior manager's limit: 10 % inclusive
    (("manager", "КАСКО", D("0.01"), SMALL, D("0")), ("senior", "r_senior")),
    (("manager", "КАСКО", D("10"), SMALL, D("0")), ("senior", "r_senior")),
    (("manager", "КАСКО", D("10.01"), SMALL, D("0")), ("head", "r_above_senior")),
    # the head's limit: 20 % inclusive
    (("manager", "КАСКО", D("15"), SMALL, D("0")), ("head", "r_above_senior")),
    (("manager", "КАСКО", D("20"), SMALL, D("0")), ("head", "r_above_senior")),
    (("manager", "КАСКО", D("20.01"), SMALL, D("0")), ("underwriting", "r_above_head")),
    (("manager", "КАСКО", D("100"), SMALL, D("0")), ("underwriting", "r_above_head")),
    # loss ratio override: above 70 % always underwriting, 70 % itself is not above
    (("manager", "КАСКО", D("5"), SMALL, D("70")), ("senior", "r_senior")),
    (("manager", "КАСКО", D("5"), SMALL, D("70.1")), ("underwriting", "r_loss_ratio")),
    (("manager", "КАСКО", D("0.01"), SMALL, D("150")), ("underwriting", "r_loss_ratio")),
    (("senior_manager", "КАСКО", D("15"), SMALL, D("90")), ("underwriting", "r_loss_ratio")),
    # premium band: from 5 000 000 ₽ the senior manager's limit is 5 %
    (("manager", "КАСКО", D("6"), LARGE - D("0.01"), D("0")), ("senior", "r_senior")),
    (("manager", "КАСКО", D("6"), LARGE, D("0")), ("head", "r_large_premium")),
    (("manager", "КАСКО", D("5"), LARGE, D("0")), ("senior", "r_senior")),
    (("manager", "КАСКО", D("5.01"), LARGE, D("0")), ("head", "r_large_premium")),
    (("manager", "КАСКО", D("20.01"), LARGE, D("0")), ("underwriting", "r_above_head")),
    # products: cargo and liability 5 % for the senior manager; ОСАГО always underwriting
    (("manager", "Грузы", D("5"), SMALL, D("0")), ("senior", "r_senior")),
    (("manager", "Грузы", D("5.01"), SMALL, D("0")), ("head", "r_special_products")),
    (("manager", "Ответственность", D("5.01"), SMALL, D("0")), ("head", "r_special_products")),
    (("manager", "Имущество", D("5.01"), SMALL, D("0")), ("senior", "r_senior")),
    (("manager", "ДМС", D("10"), SMALL, D("0")), ("senior", "r_senior")),
    (("manager", "ОСАГО", D("0.5"), SMALL, D("0")), ("underwriting", "r_osago")),
    # roles: nobody approves their own request
    (("senior_manager", "КАСКО", D("1"), SMALL, D("0")), ("head", "r_senior_own")),
    (("senior_manager", "КАСКО", D("20"), SMALL, D("0")), ("head", "r_senior_own")),
    (("senior_manager", "КАСКО", D("20.01"), SMALL, D("0")), ("underwriting", "r_above_head")),
    (("head", "КАСКО", D("1"), SMALL, D("0")), ("underwriting", "r_head_own")),
]


def test_the_matrix_routes_every_band_boundary(world):
    """Every case of ``MATRIX`` (one deploy, all cases; the failures are listed together)."""
    engine = world.engine()
    wrong = []
    for (role, product, discount, premium, loss_ratio), expected in MATRIX:
        answer = engine.decide(
            PROCESS,
            AUTHORITY_TASK,
            {
                "role": role,
                "product": product,
                "discount": discount,
                "premium": premium,
                "loss_ratio": loss_ratio,
            },
        )
        got = (answer.outputs["level"], answer.rule_id)
        if got != expected or answer.outputs["rule"] != answer.rule_id:
            wrong.append(
                f"{role} {product} {discount}% {premium}₽ LR {loss_ratio}%: {got} "
                f"(rule column {answer.outputs['rule']}), expected {expected}"
            )
    assert wrong == []


TARIFFS = [
    ("КАСКО", "Крупный", D("2.5"), D("12")),
    ("КАСКО", "Средний", D("3.0"), D("12")),
    ("КАСКО", "Малый", D("3.5"), D("12")),
    ("Имущество", "Крупный", D("0.15"), D("15")),
    ("Имущество", "", D("0.2"), D("15")),
    ("Грузы", "Малый", D("0.15"), D("10")),
    ("НС", "Средний", D("0.5"), D("20")),
    ("ДМС", "Крупный", None, D("15")),
    ("ОСАГО", "Крупный", None, D("5")),
    ("Ответственность", "Крупный", None, D("10")),
]


def test_the_tariff_table_by_product_and_segment(world):
    engine = world.engine()
    got = [
        (p, s, engine.decide(PROCESS, TARIFF_TASK, {"product": p, "segment": s}).outputs)
        for p, s, _r, _c in TARIFFS
    ]
    assert [(p, s, o["tariff_rate"], o["commission"]) for p, s, o in got] == TARIFFS


def test_a_request_goes_to_the_lowest_level_whose_limit_covers_it(world):
    deal = world.deal()  # КАСКО, Крупный, 40 000 000 ₽ insured: base premium 1 000 000 ₽
    senior = world.ask(deal, "10").request
    assert (senior.level, senior.rule_id) == ("senior", "r_senior")
    assert world.task(senior).element_id == "decide_senior"
    assert world.task(senior).assignee_id == world.users["senior"].id

    head = world.ask(world.deal(), "10.01").request
    assert (head.level, head.rule_id) == ("head", "r_above_senior")
    assert head.route_text == "нужен руководитель отдела: скидка 10,01 % > 10 % лимита старшего менеджера"
    assert (world.task(head).element_id, world.task(head).assignee_id) == (
        "decide_head",
        world.users["head"].id,
    )

    top = world.ask(world.deal(), "20.01").request
    task = world.task(top)
    assert (top.level, task.element_id, task.assignee_id, task.candidate_role) == (
        "underwriting",
        "decide_underwriting",
        None,
        "underwriter",
    )


def test_the_loss_ratio_override_sends_even_a_small_discount_to_underwriting(world):
    lossy = world.client(loss_ratio=85)
    request = world.ask(world.deal(lossy), "2").request
    assert request.loss_ratio == D("85.0")
    assert (request.level, request.rule_id) == ("underwriting", "r_loss_ratio")
    assert request.route_text == "нужно решение андеррайтинга: убыточность клиента 85 % > 70 %"
    fine = world.client(loss_ratio=70)
    assert world.ask(world.deal(fine), "2").request.level == "senior"


def test_an_absent_approver_s_deputy_gets_the_task(world, session):
    senior, head = world.users["senior"], world.users["head"]
    senior.deputy_id = head.id
    session.add(
        Absence(
            user_id=senior.id,
            starts_on=world.today - timedelta(days=1),
            ends_on=world.today + timedelta(days=5),
            reason="Отпуск",
        )
    )
    session.commit()
    request = world.ask(world.deal(), "8").request
    task = world.task(request)
    assert (request.level, task.element_id) == ("senior", "decide_senior")
    assert (task.assignee_id, task.original_assignee_id) == (head.id, senior.id)
    assert (request.approver_id, request.approver_for_id) == (head.id, senior.id)
    world.decide(request, "head", "approve")
    assert world.refresh(request).approved_by_id == head.id


def test_nobody_approves_their_own_request_even_as_a_deputy(world, session):
    """manager2 stands in for the absent senior manager: manager2's own request goes to the head."""
    senior = world.users["senior"]
    senior.deputy_id = world.users["manager2"].id
    session.add(Absence(user_id=senior.id, starts_on=world.today, ends_on=world.today, reason="Больничный"))
    session.commit()
    request = world.ask(world.deal(owner="manager2"), "5", user="manager2").request
    assert request.level == "head"
    assert world.task(request).assignee_id == world.users["head"].id
    assert "некому решить, кроме автора запроса" in request.route_reason
    other = world.ask(world.deal(), "5").request  # manager's request: the deputy may decide it
    assert world.task(other).assignee_id == world.users["manager2"].id


def test_a_senior_manager_s_own_request_goes_to_the_head_by_the_table(world):
    deal = world.deal(world.client(owner="senior"), owner="senior")
    request = world.ask(deal, "3", user="senior").request
    assert (request.level, request.rule_id) == ("head", "r_senior_own")
