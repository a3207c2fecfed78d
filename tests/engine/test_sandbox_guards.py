"""The sandbox's budget on its own (no database): C-level work refused before it starts,
loops stopped by the time budget, memory and data limits, and ordinary scripts unaffected."""

from __future__ import annotations

import pytest

from engine.errors import ScriptError
from engine.sandbox import check_code, evaluate, run_script
from engine.sandbox_budget import BudgetExceeded, Limits

FAST = Limits(seconds=0.3, memory_bytes=128 << 20, data_bytes=64 << 10)


def _refused(source: str) -> str:
    data = {"x": 1}
    with pytest.raises(ScriptError) as caught:
        run_script(source, data, limits=FAST)
    assert data == {"x": 1}, "nothing of a refused script reaches the data"
    return caught.value.message


@pytest.mark.parametrize(("source", "reason"), [
    ("r = 10 ** 10 ** 8", "огромную степень"),
    ("r = pow(10, 10 ** 8)", "огромную степень"),
    ("r = 2\nr **= 10 ** 9", "огромную степень"),
    ("r = math.factorial(10 ** 7)", "факториал"),
    ("r = math.comb(10 ** 6, 5 * 10 ** 5)", "comb"),
    ("r = math.prod([10 ** 1000] * 1000)", "умножение огромных чисел"),
    ("r = 'a' * 10 ** 10", "повторение"),
    ("r = [0] * 10 ** 10", "повторение"),
    ("r = 1 << 10 ** 9", "сдвиг"),
    ("r = sum(range(10 ** 15))", "range"),
    ("r = len(range(10 ** 30))", "range"),
    ("r = 'x'.ljust(10 ** 10)", "ljust"),
    ("r = 'x'.zfill(10 ** 10)", "zfill"),
    ("r = ('ab' * 1000).replace('', 'x' * 100000)", "replace"),
    ("r = f'{1:>1000000000}'", "ширин"),
    ("r = '%1000000000d' % 5", "ширин"),
    ("r = '%*d' % (10 ** 9, 5)", "ширин"),
    ("r = sum([[1] * 1000] * 10000, [])", "sum() не соединяет строки и списки"),
    ("r = int(Decimal('1e999999'))", "Decimal"),
    ("s = 'a'\nwhile True:\n    s = s + s", "сложение строк"),
    ("r = add_business_days(date(2026, 1, 1), 10 ** 12)", "10 000 рабочих дней"),
])
def test_c_level_work_is_refused_before_it_starts(source, reason):
    assert reason in _refused(source)


@pytest.mark.parametrize("source", [
    "while True:\n    pass",
    "n = 0\nwhile True:\n    try:\n        while True:\n            n = n + 1\n"
    "    except Exception:\n        pass",
    "def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nr = f(100)",
    "f = lambda n: f(n - 1) + f(n - 1) if n else 1\nr = f(100)",
    "r = [i * j for i in range(10 ** 6) for j in range(10 ** 6)]",
    "r = sorted(range(10 ** 6), key=lambda i: [j for j in range(10 ** 6)])",
])
def test_loops_recursion_and_comprehensions_stop_at_the_time_budget(source):
    message = _refused(source)
    assert "превысил бюджет времени (0.3 с)" in message


def test_a_swallowed_budget_error_still_fails_the_script():
    source = "try:\n    while True:\n        pass\nexcept Exception:\n    pass\nr = 1"
    with pytest.raises(BudgetExceeded):
        run_script(source, {}, limits=FAST)


def test_memory_over_the_budget_stops_the_script():
    with pytest.raises(BudgetExceeded, match=r"бюджет памяти \(64 МБ\)"):
        run_script("r = [[0] * 10 ** 6 for _ in range(10 ** 4)]", {},
                   limits=Limits(seconds=60, memory_bytes=64 << 20))


def test_data_over_the_limit_is_refused():
    assert "Данные процесса после скрипта больше допустимого" in _refused("r = 'x' * 100000")


def test_expressions_have_the_budget_too():
    with pytest.raises(BudgetExceeded):
        evaluate("len([i for i in range(10 ** 6) for j in range(1000)])", {}, limits=FAST)
    with pytest.raises(ScriptError, match="огромную степень"):
        evaluate("10 ** 10 ** 8 > 1", {}, limits=FAST)


def test_print_is_refused_at_deploy_with_an_explanation():
    assert "print() в скриптах не выводит ничего" in check_code("print(x)")


def test_ordinary_scripts_still_work_within_the_guards():
    data = {"revenue": 1_500_000, "employees": 120, "items": [1, 2, 3]}
    run_script(
        "size = 'large' if employees >= 250 else ('medium' if employees >= 50 else 'small')\n"
        "base = revenue / 1000\nlabel = 'Клиент ' + size\nstars = '*' * 3\nsquare = 12 ** 2\n"
        "total = sum(i * 2 for i in items)\ntext = f'{base:.2f}|{square:05d}|{label!r:>20}'\n"
        "n = 0\nwhile n < 10:\n    n += 1\nline = ', '.join(str(i) for i in range(3))\n"
        "pct = '%5.1f%%' % 12.34\nfact = math.factorial(10)\nbig = 2 ** 64 << 3",
        data, limits=FAST)
    assert data["size"] == "medium" and data["base"] == 1500.0 and data["stars"] == "***"
    assert data["square"] == 144 and data["total"] == 12 and data["n"] == 10
    assert data["text"] == "1500.00|00144|     'Клиент medium'"
    assert data["line"] == "0, 1, 2" and data["pct"] == " 12.3%" and data["fact"] == 3628800
    assert data["big"] == 2 ** 67
