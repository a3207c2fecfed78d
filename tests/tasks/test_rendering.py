"""Form fields from JSON Schema + UI hints, parsing typed values, safe instructions."""

from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import FileStorage, MultiDict

from tests.tasks.conftest import FORMS
from web.forms import build_fields, parse_form, render_instructions

pytestmark = pytest.mark.nodb
SCHEMA = json.loads((FORMS / "client_callback.schema.json").read_text())
UI = json.loads((FORMS / "client_callback.ui.json").read_text())


def test_widgets_follow_the_schema_and_ui_hints_in_order():
    fields = build_fields(
        SCHEMA, UI, {"company": "Ромашка", "products": ["dms"]}, {"outcome": ["Обязательное поле"]}
    )
    assert [(f.name, f.widget) for f in fields] == [
        ("company", "text"),
        ("outcome", "select"),
        ("call_date", "date"),
        ("notes", "textarea"),
        ("employees", "number"),
        ("premium", "money"),
        ("products", "multiselect"),
        ("needs_offer", "checkbox"),
        ("contact_client_id", "client"),
        ("deal_id", "deal"),
        ("attachment", "file"),
    ]
    company, outcome = fields[0], fields[1]
    assert company.readonly and company.value == "Ромашка"
    assert outcome.required and outcome.errors == ["Обязательное поле"]
    assert outcome.options[0] == ("reached", "Дозвонился")
    assert fields[6].value == ["dms"]


def test_parsing_converts_types_and_reports_what_cannot_be_converted():
    saved = []
    form = MultiDict(
        [
            ("company", "подмена"),
            ("outcome", "reached"),
            ("employees", "1 200"),
            ("premium", "1 500,50 ₽"),
            ("products", "dms"),
            ("products", "cargo"),
            ("needs_offer", "1"),
            ("contact_client_id", "5"),
            ("deal_id", "сделка"),
        ]
    )
    files = MultiDict([("attachment", FileStorage(filename="запрос.pdf"))])
    result = parse_form(
        SCHEMA,
        UI,
        form,
        files,
        lambda f: saved.append(f) or "uploads/x/zapros.pdf",
        lambda client_id: client_id == 4,
    )
    assert "company" not in result.data  # read-only fields are never taken from the request
    assert result.data["employees"] == 1200 and result.data["premium"] == "1500.50"
    assert result.data["products"] == ["dms", "cargo"] and result.data["needs_offer"] is True
    assert result.data["attachment"] == "uploads/x/zapros.pdf"
    assert result.errors == {"contact_client_id": ["Клиент не найден"], "deal_id": ["Введите целое число"]}
    assert result.typed["deal_id"] == "сделка"


def test_instructions_are_filled_escaped_and_sanitised():
    html = str(
        render_instructions(
            "# {{ client.name }}\n\n<img src=x onerror=alert(1)> [ссылка](javascript:alert(1)) [сайт](https://example.ru)"
            " {{ missing }}",
            {"client": {"name": "<b>Ромашка</b>"}},
        )
    )
    assert "<h1>&lt;b&gt;Ромашка&lt;/b&gt;</h1>" in html
    assert "<img" not in html and "&lt;img" in html
    assert 'href="javascript' not in html
    assert "<a>ссылка</a>" in html
    assert '<a href="https://example.ru" rel="noopener noreferrer">сайт</a>' in html
    assert "—" in html
