"""The script sandbox on its own (no database): what scripts may not do, and what they may."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from engine.errors import ScriptError
from engine.sandbox import check_code, evaluate, run_script


def _refused(source: str) -> str:
    """Run ``source``; it must be refused with a ScriptError, whose text is returned."""
    with pytest.raises(ScriptError) as caught:
        run_script(source, {"x": 1, "items": [1, 2]})
    return caught.value.message


@pytest.mark.parametrize("source", ["import os", "from os import path", "import os.path as p"])
def test_imports_are_refused_at_deploy_check_and_at_run_time(source):
    assert "импорт модулей запрещён" in check_code(source)
    assert "импорт модулей запрещён" in _refused(source)


@pytest.mark.parametrize("source", [
    "r = ().__class__.__bases__[0].__subclasses__()",
    "r = x.__class__",
    "r = money.__globals__",
    "r = now.__self__",
    "r = (lambda: 1).__code__",
    'r = __builtins__["open"]',
    'r = f"{x.__class__}"',
    "__import__('os')",
])
def test_dunder_access_is_refused(source):
    message = _refused(source)
    assert "служебным именам" in message or "«__import__» запрещена" in message


@pytest.mark.parametrize("name", ["getattr", "type", "open", "eval", "exec", "compile", "globals",
                                  "vars", "setattr", "object", "super", "breakpoint"])
def test_dangerous_builtins_are_refused(name):
    problem = check_code(f'r = {name}("x")')
    assert problem == f"строка 1: функция «{name}» запрещена"
    assert f"«{name}» запрещена" in _refused(f'r = {name}("x")')


@pytest.mark.parametrize("source", [
    'r = "{0.__class__.__mro__}".format(x)',
    'r = "{0.__class__}".format_map({"0": x})',
    'r = "{a.__class__}".format_map({"a": x})',
    'r = str.format("{0.__class__}", x)',
    'r = list(map(str.format, ["{0.__class__}"], [x]))',
])
def test_format_string_attribute_tricks_are_refused(source):
    assert "format" in _refused(source)


@pytest.mark.parametrize("source", [
    "def g():\n    yield 1\nit = g()\nr = it.gi_frame.f_back",
    "def g():\n    yield 1\nr = g().gi_code",
])
def test_frame_walking_through_generators_is_refused(source):
    assert "restricted name" in _refused(source)


@pytest.mark.parametrize("source", [
    'd = Decimal("1")\nd.rate = 5',
    "d = date(2026, 1, 5)\nd.year = 2030",
    "r = money\nr.attr = 1",
])
def test_writing_attributes_of_non_dict_objects_is_refused(source):
    assert "запрещено изменять" in _refused(source)


def test_scripts_may_change_dicts_and_lists_of_their_data():
    data = {"deal": {"stage": "new"}, "items": [1]}
    run_script('deal["stage"] = "won"\nitems.append(2)\ndeal["total"] = sum(items)', data)
    assert data == {"deal": {"stage": "won", "total": 3}, "items": [1, 2]}


def test_helpers_work():
    data = {"base": Decimal("1000.005"), "signed": date(2026, 1, 9)}
    run_script(
        "premium = money(base * Decimal('1.2'))\n"
        "rounded = money(base)\n"
        "due = add_business_days(signed, 1)\n"
        "back = add_business_days(signed, -5)\n"
        "label = signed.strftime('%d.%m.%Y')\n"
        "parsed = datetime.strptime('05.01.2026', '%d.%m.%Y').date()\n"
        "wait = iso_duration(timedelta(hours=2))\n"
        "root = math.sqrt(16)\n"
        "pct = '%(n)s%%' % {'n': 15}\n",
        data,
    )
    assert data["premium"] == Decimal("1200.01")
    assert data["rounded"] == Decimal("1000.01")  # half up, like accountants
    assert data["due"] == date(2026, 1, 12)  # Friday + 1 business day = Monday
    assert data["back"] == date(2026, 1, 2)
    assert data["label"] == "09.01.2026"
    assert data["parsed"] == date(2026, 1, 5)
    assert data["wait"] == "PT7200S"
    assert data["root"] == 4.0
    assert data["pct"] == "15%"


def test_script_variables_land_in_data_and_helper_names_do_not_leak():
    data = {"amount": 10, "old": "x"}
    run_script("total = amount * 2\nwhen = date(2026, 1, 1)\ndel old\ndef double(v):\n    return v * 2\n"
               "doubled = double(total)", data, {"now": lambda: datetime(2026, 1, 1)})
    assert data == {"amount": 10, "total": 20, "when": date(2026, 1, 1), "doubled": 40}
    for helper in ("Decimal", "date", "money", "add_business_days", "math", "now", "UTC", "double"):
        assert helper not in data


def test_a_script_cannot_overwrite_a_helper_for_the_next_one():
    data = {}
    run_script("money = 5\nr = money", data)
    assert data["money"] == 5 and data["r"] == 5
    other = {"v": "2.345"}
    run_script("r = money(v)", other)
    assert other["r"] == Decimal("2.35")


def test_evaluate_reads_data_and_refuses_the_same_things():
    assert evaluate("amount > 1000 and kind == 'corporate'", {"amount": 5000, "kind": "corporate"})
    assert evaluate("add_business_days(d, 3)", {"d": date(2026, 1, 9)}) == date(2026, 1, 14)
    with pytest.raises(ScriptError):
        evaluate("x.__class__", {"x": 1})
    with pytest.raises(ScriptError):
        evaluate("open('/etc/passwd')", {})
    assert check_code("a = (", "exec").startswith("синтаксическая ошибка в строке 1")
