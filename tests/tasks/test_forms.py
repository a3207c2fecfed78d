"""The one form renderer and parser (web.forms): labels, order, read-only fields, money."""

from __future__ import annotations

import json
import re

import pytest
from werkzeug.datastructures import MultiDict

from tests.tasks.conftest import FORMS
from web.forms import build_fields, format_money, parse_form, parse_money

pytestmark = pytest.mark.nodb

SCHEMA = {
    "type": "object",
    "required": ["outcome"],
    "properties": {
        "company": {"type": "string", "title": "Клиент", "readOnly": True},
        "outcome": {"type": "string", "title": "Результат", "enum": ["qualified", "not_relevant"],
                    "enumNames": ["Квалифицирован — открыть сделку", "Не актуален"]},
        "kind": {"type": "string", "title": "Тип", "enum": ["", "company", "person"],
                 "enumNames": ["— как определено —", "Юрлицо", "Физлицо"]},
        "products": {"type": "array", "title": "Продукты",
                     "items": {"type": "string", "enum": ["dms", "cargo"], "enumNames": ["ДМС", "Грузы"]}},
        "premium": {"type": "string", "title": "Премия", "pattern": "^\\d{1,12}(\\.\\d{1,2})?$"},
        "agreed": {"type": "boolean", "title": "Согласовано"},
    },
}
UI = {
    "ui:order": ["outcome", "premium", "missing_field"],
    "kind": {"ui:labels": {"person": "Физическое лицо"}},
    "premium": {"ui:widget": "money", "ui:help": "В рублях", "ui:placeholder": "0,00"},
}


def _no_upload(_upload):
    raise AssertionError("no file expected")


def test_options_show_enum_names_and_ui_labels_win():
    fields = {f.name: f for f in build_fields(SCHEMA, UI, {}, {})}
    assert fields["outcome"].options == [
        ("qualified", "Квалифицирован — открыть сделку"), ("not_relevant", "Не актуален")]
    assert fields["kind"].options == [("", "— как определено —"), ("company", "Юрлицо"),
                                      ("person", "Физическое лицо")]
    assert fields["kind"].has_empty_option and not fields["outcome"].has_empty_option
    assert fields["products"].widget == "multiselect"
    assert fields["products"].options == [("dms", "ДМС"), ("cargo", "Грузы")]


def test_ui_order_comes_first_then_the_schema_order_unknown_names_skipped():
    assert [f.name for f in build_fields(SCHEMA, UI, {}, {})] == [
        "outcome", "premium", "company", "kind", "products", "agreed"]
    assert [f.name for f in build_fields(SCHEMA, None, {}, {})] == list(SCHEMA["properties"])


def test_values_are_shown_with_labels_money_grouped_and_hints():
    fields = {f.name: f for f in build_fields(
        SCHEMA, UI, {"outcome": "not_relevant", "premium": "1500000.50", "products": ["cargo", "dms"],
                     "agreed": False, "company": "Ромашка"}, {})}
    assert fields["outcome"].shown == "Не актуален"
    assert fields["products"].shown == "Грузы, ДМС"
    assert fields["agreed"].shown == "нет" and fields["kind"].shown == "—"
    premium = fields["premium"]
    assert (premium.widget, premium.value, premium.help, premium.placeholder) == (
        "money", "1 500 000,50", "В рублях", "0,00")
    assert fields["company"].readonly and fields["company"].shown == "Ромашка"


def test_read_only_fields_are_never_taken_from_the_request():
    posted = MultiDict([("company", "подмена"), ("outcome", "qualified"), ("premium", "1 500 000,50"),
                        ("products", "dms"), ("products", "cargo"), ("kind", "")])
    result = parse_form(SCHEMA, UI, posted, MultiDict(), _no_upload)
    assert result.errors == {}
    assert result.data == {"outcome": "qualified", "premium": "1500000.50", "products": ["dms", "cargo"],
                           "agreed": False}
    assert "company" not in result.typed


@pytest.mark.parametrize(("typed", "stored"), [
    ("1 500 000,50", "1500000.50"),
    ("1500000.50", "1500000.50"),
    ("1 500 000", "1500000.00"),
    ("1\u00a0500\u00a0000,5", "1500000.50"),
    ("1 500 000 ₽", "1500000.00"),
    ("150000 руб.", "150000.00"),
    ("0,99", "0.99"),
])
def test_money_is_parsed_the_russian_way(typed, stored):
    assert parse_money(typed) == stored


@pytest.mark.parametrize("typed", ["12,345", "1 50 000", "1,500,000", "-100", "много", "1.500.000", ""])
def test_money_that_cannot_be_read_is_refused_with_a_russian_message(typed):
    with pytest.raises(ValueError, match="Сумма в рублях"):
        parse_money(typed)
    result = parse_form(SCHEMA, UI, MultiDict([("outcome", "qualified"), ("premium", typed or " x")]),
                        MultiDict(), _no_upload)
    assert result.errors["premium"][0].startswith("Сумма в рублях")
    assert "premium" not in result.data


@pytest.mark.parametrize(("stored", "shown"), [
    ("1500000.50", "1 500 000,50"),
    ("1500000.00", "1 500 000"),
    ("1500000", "1 500 000"),
    ("999.5", "999,50"),
    (250000, "250 000"),
    ("12,345", "12,345"),  # what someone typed is shown again as it was
    (None, ""),
])
def test_money_is_shown_grouped_with_a_decimal_comma(stored, shown):
    assert format_money(stored) == shown


def test_every_enum_in_the_shipped_forms_has_russian_labels():
    unlabelled = []
    for path in sorted(FORMS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        ui_path = path.with_name(path.name.replace(".schema.json", ".ui.json"))
        ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else {}
        for f in build_fields(schema, ui, {}, {}):
            # a value that is itself Russian text («КАСКО») is its own label, not a code
            if any(value == label and value != "" and not re.search("[А-Яа-яЁё]", str(value))
                   for value, label in f.options):
                unlabelled.append(f"{path.name}: {f.name}")
    assert unlabelled == []
