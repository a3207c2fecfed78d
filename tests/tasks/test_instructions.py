"""Step instructions: sandboxed Jinja over the task data, then markdown through nh3."""

from __future__ import annotations

import re

import pytest

from models.platform.settings import PROJECT_ROOT
from web.forms import render_instructions

pytestmark = pytest.mark.nodb


def _shipped(process: str, element: str) -> str:
    xml = (PROJECT_ROOT / "processes" / f"{process}.bpmn").read_text(encoding="utf-8")
    task = xml[xml.index(f'id="{element}"'):]
    text = re.search(r"<spiffworkflow:instructionsForEndUser>(.*?)</spiffworkflow", task, re.S).group(1)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_the_back_office_instructions_list_every_problem_found():
    html = str(render_instructions(_shipped("client_data_review", "fix"), {"check": {
        "client_name": "ООО «Ошибка»",
        "problems": ["Неверная контрольная цифра ИНН", "КПП — 9 цифр"]}}))
    assert "В карточке клиента «ООО «Ошибка»» найдены ошибки реквизитов:" in html
    assert "<li>Неверная контрольная цифра ИНН</li>" in html and "<li>КПП — 9 цифр</li>" in html
    assert "{%" not in html and "{{" not in html


def test_conditions_loops_and_missing_values():
    template = "{% if deal %}Сделка {{ deal.title }}{% else %}Сделки нет{% endif %}: {{ note }}\n\n" \
               "{% for p in items %}1. {{ p.name }} — {{ p.amount }}\n{% endfor %}"
    items = [{"name": "ДМС", "amount": 150000}, {"name": "КАСКО"}]
    html = str(render_instructions(template, {"items": items}))
    assert html.startswith("<p>Сделки нет: —</p>")
    assert "<ol>\n<li>ДМС — 150000</li>\n<li>КАСКО — —</li>\n</ol>" in html


def test_values_are_escaped_once_and_never_become_markup():
    name = "ООО «Ромашка» & Co <script>alert(1)</script> **bold** [ссылка](https://evil.example) #1"
    html = str(render_instructions("Клиент: **{{ name }}**\n\n{{ notes }}", {
        "name": name, "notes": "# Заголовок?\n- пункт | ячейка `код`"}))
    assert ("<strong>ООО «Ромашка» &amp; Co &lt;script&gt;alert(1)&lt;/script&gt; **bold** "
            "[ссылка](https://evil.example) #1</strong>") in html
    assert "<script" not in html and "&amp;amp;" not in html and "&amp;lt;" not in html
    assert "<em>" not in html and "evil.example\"" not in html and "<h1>" not in html
    assert "<p># Заголовок?\n- пункт | ячейка `код`</p>" in html


def test_the_template_text_cannot_carry_html_and_links_are_allow_listed():
    html = str(render_instructions(
        '<img src=x onerror=alert(1)> <b>жирный</b> [сайт](https://example.ru) [почта](mailto:a@b.ru) '
        "[внутри](/inbox) [js](javascript:alert(1)) [данные](data:text/html,x) [чужой](//evil.example)", {}))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;жирный&lt;/b&gt;" in html
    assert '<a href="https://example.ru" rel="noopener noreferrer">сайт</a>' in html
    assert '<a href="mailto:a@b.ru" rel="noopener noreferrer">почта</a>' in html
    assert '<a href="/inbox" rel="noopener noreferrer">внутри</a>' in html
    assert "<a>js</a>" in html and "<a>данные</a>" in html and "<a>чужой</a>" in html


@pytest.mark.parametrize(("template", "reason"), [
    ("{% for p in check.problems %}* {{ p }}", "ошибка в записи шаблона, строка 1"),
    ("Клиент {{ check.client.name }}", "в данных шага нет значения, которое использует шаблон"),
    ("{{ check.__class__.__mro__ }}", "шаблон обращается к недоступным данным"),
    ("{{ check.update(ok=True) }}", "шаблон обращается к недоступным данным"),
    ("{{ 1 / 0 }}", "данные шага не удалось подставить в шаблон"),
])
def test_a_broken_template_shows_a_readable_russian_message(template, reason):
    html = str(render_instructions(template, {"check": {"ok": False}}))
    assert html == ('<div class="alert alert-warning mb-0 instructions-error">Инструкцию к шагу не удалось '
                    f"показать: {reason}. Сообщите администратору процессов.</div>")


def test_no_instructions_render_nothing():
    assert str(render_instructions(None, {})) == "" and str(render_instructions("", {"a": 1})) == ""
