"""The sandbox for BPMN scripts, conditions, timer and parameter expressions, and DMN cells.

Code is compiled with RestrictedPython, which refuses imports of anything, names and
attributes starting with ``_`` (so no dunder escapes), and routes attribute, item and
iteration access through guards. Only whitelisted builtins and helpers (dates, decimals,
the CRM's own safe functions) are visible; there is no ``open``, ``eval``, ``exec`` or
``__import__``. A script breaking a rule fails at deploy time (``check_code``) or, if it
slips through (e.g. built at run time), with a ``ScriptError`` naming the rule.

Every run has a time, memory and data budget (``engine.sandbox_budget``); C-level work a
budget tick cannot interrupt is refused by guarded operators (``engine.sandbox_guards``).
"""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import CodeType, ModuleType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from RestrictedPython.Limits import limited_builtins

from engine.errors import ScriptError
from engine.sandbox_budget import DEFAULT_LIMITS, Budget, Limits
from engine.sandbox_guards import (
    GUARDED_BUILTINS,
    GUARDED_MATH,
    GUARDED_STR_METHODS,
    GuardingTransformer,
    guarded_add,
    guarded_format,
    guarded_inplace,
    guarded_lshift,
    guarded_mod,
    guarded_mul,
    guarded_pow,
    guarded_str_method,
)

FORBIDDEN_NAMES = frozenset(
    {"open", "eval", "exec", "compile", "globals", "locals", "vars", "getattr", "setattr",
     "delattr", "input", "breakpoint", "help", "memoryview", "type", "object", "super",
     "classmethod", "staticmethod", "property", "print"}
)


def _write_guard(obj: Any) -> Any:
    """Scripts may change dicts and lists of task data, nothing else."""
    if isinstance(obj, dict | list):
        return obj
    raise ScriptError(f"Скрипту запрещено изменять объекты типа {type(obj).__name__}")


def _money(value: Any) -> Decimal:
    """Round to kopecks the way accountants do (half up)."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _add_business_days(start: date, days: int) -> date:
    if abs(days) > 10_000:
        raise ScriptError("add_business_days: больше 10 000 рабочих дней не считается")
    current = start
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        current += timedelta(days=step)
        if current.weekday() < 5:
            remaining -= 1
    return current


def _iso_duration(delta: timedelta) -> str:
    """A ``timedelta`` as an ISO-8601 duration string for timer expressions."""
    seconds = int(delta.total_seconds())
    return f"PT{seconds}S"


_BUILTINS: dict[str, Any] = dict(safe_builtins)
_BUILTINS.update(limited_builtins)
_BUILTINS.update({
    "list": list, "dict": dict, "set": set, "frozenset": frozenset, "tuple": tuple,
    "sum": sum, "min": min, "max": max, "any": any, "all": all, "enumerate": enumerate,
    "reversed": reversed, "map": map, "filter": filter, "sorted": sorted,
})
_BUILTINS.update(GUARDED_BUILTINS)
for _name in FORBIDDEN_NAMES:
    _BUILTINS.pop(_name, None)

# The C code of ``datetime`` imports ``time`` (``date.today``, ``strftime``) and
# ``_strptime`` (``datetime.strptime``) through the running code's ``__import__``; without
# one those helpers fail with ``KeyError: '__import__'``. Scripts cannot reach this
# function: the name starts with ``_`` and import statements are refused before compiling.
_INTERNAL_IMPORTS = frozenset({"time", "_strptime"})


def _internal_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (),
                     level: int = 0) -> ModuleType:
    if level or name not in _INTERNAL_IMPORTS:
        raise ScriptError("Импорт модулей в скриптах запрещён")
    return importlib.import_module(name)


_BUILTINS["__import__"] = _internal_import


_FORMAT_METHODS = frozenset({"format", "format_map"})


def _getattr(obj: Any, name: str, default: Any = None) -> Any:
    """RestrictedPython's attribute guard, after our own refusal of ``str.format``.

    A format template can reach any attribute (``"{0.__class__}".format(x)``), so the
    format methods of strings are refused here with a Russian ``ScriptError``.
    """
    if name in _FORMAT_METHODS and (isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str))):
        raise ScriptError("Скрипту запрещено: методы format/format_map строк небезопасны, "
                          "соединяйте строки через +")
    if name in GUARDED_STR_METHODS and isinstance(obj, str):
        return guarded_str_method(obj, name, safer_getattr(obj, name, default))
    return safer_getattr(obj, name, default)


HELPERS: dict[str, Any] = {
    "Decimal": Decimal, "date": date, "datetime": datetime, "time": time,
    "timedelta": timedelta, "UTC": UTC, "math": GUARDED_MATH, "money": _money,
    "add_business_days": _add_business_days, "iso_duration": _iso_duration,
}


_STATIC_GLOBALS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": _getattr,
    "_getitem_": default_guarded_getitem,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _write_guard,
    "_inplacevar_": guarded_inplace,
    "_add_": guarded_add, "_mul_": guarded_mul, "_pow_": guarded_pow,
    "_lshift_": guarded_lshift, "_mod_": guarded_mod, "_format_": guarded_format,
    **HELPERS,
}


def base_globals(extra: dict[str, Any] | None = None, budget: Budget | None = None) -> dict[str, Any]:
    """Fresh globals for one run: guarded builtins, guards, the budget and whitelisted helpers."""
    budget = budget or Budget()
    scope = _STATIC_GLOBALS.copy()
    scope["_getiter_"] = budget.iterate
    scope["_tick_"] = budget.tick
    if extra:
        scope.update(extra)
    return scope


class _ForbiddenNames(ast.NodeVisitor):
    def __init__(self) -> None:
        self.problems: list[str] = []

    def visit_Import(self, node: ast.Import) -> None:
        self.problems.append(f"строка {node.lineno}: импорт модулей запрещён")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.problems.append(f"строка {node.lineno}: импорт модулей запрещён")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "print":
            self.problems.append(f"строка {node.lineno}: print() в скриптах не выводит ничего — "
                                 "запишите значение в переменную процесса")
        elif node.id in FORBIDDEN_NAMES or node.id == "__import__":
            self.problems.append(f"строка {node.lineno}: функция «{node.id}» запрещена")


def check_code(source: str, mode: str = "exec") -> str | None:
    """``None`` if ``source`` may run in the sandbox, otherwise the Russian reason."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return f"синтаксическая ошибка в строке {exc.lineno}: {exc.msg}"
    visitor = _ForbiddenNames()
    visitor.visit(tree)
    if visitor.problems:
        return "; ".join(visitor.problems)
    result = _compile(source, mode)
    if result.errors:
        return "; ".join(_translate(e) for e in result.errors)
    return None


def _compile(source: str, mode: str) -> Any:
    compile_mode = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    return compile_mode(source, policy=GuardingTransformer)


def _translate(message: str) -> str:
    if "starts with \"_\"" in message or "invalid attribute name" in message:
        return f"доступ к служебным именам (начинающимся с «_») запрещён: {message}"
    return message


@lru_cache(maxsize=4096)
def compiled(source: str, mode: str) -> CodeType:
    """Compile once per distinct source (scripts repeat across instances)."""
    problem = check_code(source, mode)
    if problem:
        raise ScriptError(f"Скрипт нарушает правила песочницы: {problem}")
    result = _compile(source, mode)
    if result.code is None:  # check_code passed, so RestrictedPython accepted it; never expected
        raise ScriptError(f"Скрипт не компилируется: {'; '.join(result.errors)}")
    return result.code


def _is_data(key: str, value: Any) -> bool:
    return not (key.startswith("_") or callable(value) or isinstance(value, ModuleType))


def run_script(source: str, data: dict[str, Any], extra: dict[str, Any] | None = None,
               limits: Limits = DEFAULT_LIMITS) -> None:
    """Execute a script on task ``data`` in place; helper names never leak into the data.

    The data is changed only when the script finished within its budget and the result is
    within the data limit; otherwise ``BudgetExceeded`` and ``data`` is as it was.
    """
    budget = Budget(limits)
    scope = base_globals(extra, budget)
    fixed = dict(scope)
    scope.update(data)
    exec(compiled(source, "exec"), scope)  # noqa: S102  (restricted code, guarded globals)
    budget.after_run()
    result = {key: value for key, value in scope.items()
              if (key in data or key not in fixed or value is not fixed[key]) and _is_data(key, value)}
    budget.check_data(result)
    for key in list(data):
        if key not in scope:
            del data[key]
    data.update(result)


def evaluate(source: str, data: dict[str, Any], extra: dict[str, Any] | None = None,
             limits: Limits = DEFAULT_LIMITS) -> Any:
    """Evaluate an expression against task ``data`` within the budget."""
    budget = Budget(limits)
    scope = base_globals(extra, budget)
    scope.update(data)
    result = eval(compiled(source.strip(), "eval"), scope)  # noqa: S307  (restricted code)
    budget.after_run()
    return result
