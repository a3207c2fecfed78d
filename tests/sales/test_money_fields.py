"""Acceptance 3, first half: every money field of every form takes «1 500 000,50» and stores 1500000.50.

The fields are found, not listed by hand: the JSON-Schema forms in ``forms/`` by their ``money``
widget, the page templates by ``data-money`` on an input. A template input whose name says money
(premium, amount, price…) without ``data-money`` fails the test, and so does a ``data-money`` input
no scenario below submits — a new money field cannot slip past this test unnoticed.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from models.clients.cards import Client
from models.platform.money import parse_amount
from models.platform.settings import PROJECT_ROOT
from models.reports.plans import SalesPlan
from models.sales.deals import Deal, open_deal
from models.sales.funnels import funnel_by_code
from tests.conftest import csrf_from, login
from web.forms.fields import build_fields
from web.forms.parser import parse_form

TYPED = ("1 500 000,50", "1\u00a0500\u00a0000,50", "1 500 000,50 ₽", "1500000,5", "1500000.50")
STORED = Decimal("1500000.50")
FORMS = PROJECT_ROOT / "forms"
TEMPLATES = PROJECT_ROOT / "web" / "templates"
_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_NAME = re.compile(r'\bname="([^"{]*)(?:\{\{[^"]*)?"')
_MONEY_NAME = re.compile(r"premium|amount|price|insured_sum|_sum\b|cost|budget")


def _schema_money_fields() -> list[tuple[str, dict, dict, str]]:
    found = []
    for path in sorted(FORMS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        ui_path = path.with_name(path.name.replace(".schema.json", ".ui.json"))
        ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else {}
        found += [(path.name, schema, ui, f.name)
                  for f in build_fields(schema, ui, {}, {}) if f.widget == "money"]
    return found


def _template_money_inputs() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(template, input name) of ``data-money`` inputs, and of money-named inputs without it."""
    marked, unmarked = set(), set()
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in _INPUT.findall(path.read_text(encoding="utf-8")):
            name = _NAME.search(tag)
            if name is None or 'type="hidden"' in tag:
                continue
            key = (str(path.relative_to(TEMPLATES)), name.group(1))
            if "data-money" in tag:
                marked.add(key)
            elif _MONEY_NAME.search(name.group(1)):
                unmarked.add(key)
    return marked, unmarked


SCHEMA_FIELDS = _schema_money_fields()


def test_the_one_parser_takes_every_russian_way_of_typing_an_amount():
    assert {parse_amount(text) for text in TYPED} == {STORED}
    for bad in ("1,500,000.50", "1 50 000", "полтора миллиона", "-5", "1.5.0", ""):
        with pytest.raises(ValueError, match="Сумма в рублях"):
            parse_amount(bad)


@pytest.mark.parametrize(("form", "schema", "ui", "name"), SCHEMA_FIELDS,
                         ids=[f"{f[0]}:{f[3]}" for f in SCHEMA_FIELDS])
def test_every_money_field_of_every_schema_form_stores_the_amount(form, schema, ui, name):
    for typed in TYPED:
        parsed = parse_form(schema, ui, MultiDict({name: typed}), MultiDict(), lambda _f: "")
        assert parsed.errors.get(name) is None, (form, typed, parsed.errors)
        assert Decimal(parsed.data[name]) == STORED and parsed.data[name] == "1500000.50"


def test_the_schema_forms_have_money_fields_and_the_templates_mark_theirs():
    assert {f"{f[0]}:{f[3]}" for f in SCHEMA_FIELDS} >= {"lead_outcome.schema.json:premium",
                                                          "prepare_offer.schema.json:offer_amount"}
    marked, unmarked = _template_money_inputs()
    assert unmarked == set(), "поля денег без data-money: " + ", ".join(sorted(map(str, unmarked)))
    assert marked == set(PAGE_SCENARIOS), "у поля денег нет сценария в тесте"


@pytest.fixture
def new_deal(world):
    client = Client(kind="company", full_name="АО «Сталь»", inn="7736050003", owner=world.users["manager"])
    world.session.add(client)
    world.session.commit()

    def make() -> Deal:
        made = open_deal(world.session, client=client, funnel=funnel_by_code(world.session, "company"),
                         owner_id=world.users["manager"].id, now=world.clock.now(), title="Сталь: ДМС")
        world.session.commit()
        return made
    return make


def _post(client, page: str, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_from(client.get(page).get_data(as_text=True)), **data})


def _deal_edit(world, client, deal, field: str, typed: str) -> Decimal:
    login(client, "manager")
    answer = _post(client, f"/deals/{deal.id}", f"/deals/{deal.id}/edit",
                   {field: typed} if field != "competitor_price" else {"competitor_who": "Ингосстрах",
                                                                        "competitor_price": typed})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    world.session.expire_all()
    stored = world.session.get(Deal, deal.id)
    if field == "competitor_price":
        return Decimal(stored.competitor_offers[-1]["price"])
    return getattr(stored, field)


def _deal_won(world, client, deal, field: str, typed: str) -> Decimal:
    login(client, "manager")
    answer = _post(client, f"/deals/{deal.id}", f"/deals/{deal.id}/stage", {
        "stage": "won", "contract_number": "Д-1", "contract_start": "2027-01-01",
        "contract_end": "2027-12-31", "contract_premium": typed})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    world.session.expire_all()
    return world.session.get(Deal, deal.id).contract_premium


def _board_won(world, client, deal, field: str, typed: str) -> Decimal:
    """The board's «Выиграна» dialog sends what was typed as it is, in the drop's JSON."""
    login(client, "manager")
    token = csrf_from(client.get("/deals/?funnel=company").get_data(as_text=True))
    answer = client.post(f"/deals/{deal.id}/board-move", headers={"X-CSRFToken": token}, json={
        "stage": "won", "contract_number": "Д-2", "contract_start": "2027-01-01",
        "contract_end": "2027-12-31", "contract_premium": typed})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    world.session.expire_all()
    return world.session.get(Deal, deal.id).contract_premium


def _plan(world, client, deal, field: str, typed: str) -> Decimal:
    login(client, "head")
    page = client.get("/reports/plans").get_data(as_text=True)
    manager = world.users["manager"]
    month = re.search(r'name="month" value="([0-9-]+)"', page).group(1)
    rows = {f"deals_{m}": "1" for m in re.findall(r'name="deals_(\d+)"', page)}
    rows |= {f"premium_{m}": "0" for m in re.findall(r'name="premium_(\d+)"', page)}
    answer = client.post("/reports/plans", data={"csrf_token": csrf_from(page), "month": month, **rows,
                                                 f"premium_{manager.id}": typed})
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)
    world.session.expire_all()
    plan = world.session.scalar(select(SalesPlan).where(SalesPlan.user_id == manager.id))
    return Decimal(plan.premium_kop) / 100


def _discount(world, client, deal, field: str, typed: str) -> Decimal:
    """The discount form hands both amounts to ``decimal_value`` (asking and the live quote alike)."""
    from models.discounts.pricing import decimal_value

    return decimal_value(typed)


PAGE_SCENARIOS = {
    ("deals/show.html", "premium"): _deal_edit,
    ("deals/show.html", "amount"): _deal_edit,
    ("deals/show.html", "competitor_price"): _deal_edit,
    ("deals/show.html", "contract_premium"): _deal_won,
    ("deals/index.html", "contract_premium"): _board_won,
    ("reports/plans.html", "premium_"): _plan,
    ("discounts/_deal_block.html", "base_premium"): _discount,
    ("discounts/_deal_block.html", "competitor_price"): _discount,
    ("forms/_fields.html", ""): None,  # the schema forms' money widget: the parametrised test above
}


@pytest.mark.parametrize("key", [k for k, v in PAGE_SCENARIOS.items() if v is not None],
                         ids=lambda k: ":".join(k))
def test_every_money_field_of_the_pages_stores_the_amount(world, app, new_deal, key):
    scenario = PAGE_SCENARIOS[key]
    for typed in ("1 500 000,50", "1\u00a0500\u00a0000,50 ₽"):
        deal = new_deal()
        assert scenario(world, app.test_client(), deal, key[1], typed) == STORED, typed
    if key[0] == "deals/show.html" and key[1] != "contract_premium":
        client = app.test_client()
        login(client, "manager")
        card = client.get(f"/deals/{deal.id}").get_data(as_text=True)
        assert "1500000.5" not in card and "1 500 000,50" in card
