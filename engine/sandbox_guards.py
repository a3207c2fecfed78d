"""Guarded operators and helpers of the sandbox: C-level work is refused before it starts.

A budget tick (``engine.sandbox_budget``) cannot interrupt one long C call such as
``10**10**8``, ``'a' * 10**10``, ``math.factorial(10**7)``, ``sum(range(10**15))`` or
``'x'.ljust(10**10)``. So the sandbox's AST transform (``GuardingTransformer``, a
RestrictedPython policy) routes ``+ * ** << %`` and formatted f-string values through the
functions below, and the builtins ``range``, ``sum``, ``pow``, ``int`` and the ``math``
helpers are replaced by guarded ones; results past ``MAX_ITEMS`` elements or ``MAX_INT_BITS``
bits are refused with a Russian ``ScriptError`` instead of being computed.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from engine.errors import ScriptError

MAX_ITEMS = 2_000_000  # characters of a string, elements of a list/tuple, length of a range
MAX_INT_BITS = 100_000  # about 30 000 decimal digits
MAX_WIDTH = 10_000  # padding width in formats
_SEQUENCES = (str, list, tuple, bytes)


def _too_big(what: str) -> ScriptError:
    return ScriptError(f"Скрипту запрещено: {what} — слишком большой результат для процесса")


def _int_bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def guarded_add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES) and len(a) + len(b) > MAX_ITEMS:
        raise _too_big("сложение строк или списков")
    return a + b


def guarded_mul(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS:
            raise _too_big("умножение огромных чисел")
    elif isinstance(a, _SEQUENCES) and isinstance(b, int):
        if len(a) * b > MAX_ITEMS:
            raise _too_big("повторение строки или списка")
    elif isinstance(b, _SEQUENCES) and isinstance(a, int) and len(b) * a > MAX_ITEMS:
        raise _too_big("повторение строки или списка")
    return a * b


def guarded_pow(a: Any, b: Any, modulo: Any = None) -> Any:
    huge_power = isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1 and (
        b > MAX_INT_BITS or b * a.bit_length() > MAX_INT_BITS)
    if huge_power and modulo is None:
        raise _too_big("возведение в огромную степень")
    if isinstance(a, Decimal | int | float) and isinstance(b, Decimal) and abs(b) > MAX_INT_BITS:
        raise _too_big("возведение в огромную степень")
    if modulo is not None:
        if max(_int_bits(a), _int_bits(b), _int_bits(modulo)) > MAX_INT_BITS:
            raise _too_big("возведение в степень огромных чисел")
        return pow(a, b, modulo)
    return a**b


def guarded_lshift(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and a and b > MAX_INT_BITS - a.bit_length():
        raise _too_big("сдвиг числа на огромное число битов")
    return a << b


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def guarded_mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        for width, precision in _PERCENT_SPEC.findall(a):
            for number in (width, precision):
                if number == "*" or (number and int(number) > MAX_WIDTH):
                    raise _too_big("форматирование с огромной шириной")
    return a % b


_FORMAT_WIDTH = re.compile(r"\d+")


def guarded_format(value: Any, conversion: int, spec: str) -> str:
    """An f-string field with a format spec: refuse huge widths and precisions."""
    if any(int(number) > MAX_WIDTH for number in _FORMAT_WIDTH.findall(spec)):
        raise _too_big("форматирование с огромной шириной")
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    return format(value, spec)


INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": guarded_add, "-=": lambda a, b: a - b, "*=": guarded_mul, "/=": lambda a, b: a / b,
    "//=": lambda a, b: a // b, "%=": guarded_mod, "**=": guarded_pow, "<<=": guarded_lshift,
    ">>=": lambda a, b: a >> b, "&=": lambda a, b: a & b, "|=": lambda a, b: a | b,
    "^=": lambda a, b: a ^ b,
}


def guarded_inplace(op: str, x: Any, y: Any) -> Any:
    """``_inplacevar_``: ``x += y`` and friends through the same guards as the operators."""
    operation = INPLACE.get(op)
    if operation is None:
        raise ScriptError(f"Операция {op} в скрипте запрещена")
    return operation(x, y)


# --- guarded builtins and helpers ----------------------------------------------------------

def guarded_range(*args: int) -> range:
    try:
        result = range(*args)
        size = len(result)
    except OverflowError:
        size = MAX_ITEMS + 1
    if size > MAX_ITEMS:
        raise _too_big(f"range длиной больше {MAX_ITEMS:,}".replace(",", " "))
    return result


def guarded_sum(iterable: Iterable[Any], start: Any = 0) -> Any:
    """``sum`` of numbers, durations and the like; not of strings, lists or tuples (summing
    sequences copies them quadratically in C, out of the budget's reach)."""
    if isinstance(start, _SEQUENCES):
        raise ScriptError("Скрипту запрещено: sum() не соединяет строки и списки; используйте цикл")
    total: Any = start
    for item in iterable:
        if isinstance(item, _SEQUENCES):
            raise ScriptError("Скрипту запрещено: sum() не соединяет строки и списки; используйте цикл")
        total = total + item
    return total


def guarded_int(value: Any = 0, *args: Any) -> int:
    """``int`` of a huge ``Decimal`` or float string would build a number of millions of bits."""
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > MAX_INT_BITS // 3:
        raise _too_big("преобразование огромного Decimal в целое")
    return int(value, *args)


def _factorial(n: int) -> int:
    if isinstance(n, int) and n > 3000:
        raise _too_big("факториал больше 3000!")
    return math.factorial(n)


def _comb_or_perm(func: Callable[..., int]) -> Callable[..., int]:
    def guarded(n: int, k: int | None = None) -> int:
        if isinstance(n, int) and n > 1:
            taken = n if k is None else min(k, n)
            if taken * n.bit_length() > MAX_INT_BITS:
                raise _too_big(f"{func.__name__} от слишком больших чисел")
        return func(n) if k is None else func(n, k)

    guarded.__name__ = func.__name__
    return guarded


def _prod(iterable: Iterable[Any], *, start: Any = 1) -> Any:
    result = start
    for item in iterable:
        result = guarded_mul(result, item)
    return result


def _guarded_math() -> SimpleNamespace:
    names = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
    names.update(factorial=_factorial, comb=_comb_or_perm(math.comb), perm=_comb_or_perm(math.perm),
                 prod=_prod, pow=math.pow)
    return SimpleNamespace(**names)


GUARDED_MATH = _guarded_math()
GUARDED_BUILTINS: dict[str, Any] = {"range": guarded_range, "sum": guarded_sum, "pow": guarded_pow,
                                    "int": guarded_int}

_PADDING = frozenset({"ljust", "rjust", "center", "zfill"})


def guarded_str_method(text: str, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """String methods whose result can be far larger than their arguments, with a size check."""

    def padded(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_ITEMS:
            raise _too_big(f"str.{name} с огромной шириной")
        return method(width, *args)

    def expandtabs(tabsize: int = 8) -> str:
        if isinstance(tabsize, int) and text.count("\t") * tabsize > MAX_ITEMS:
            raise _too_big("str.expandtabs с огромной шириной")
        return text.expandtabs(tabsize)

    def replace(old: str, new: str, count: int = -1) -> str:
        hits = text.count(old) if old else len(text) + 1
        if count >= 0:
            hits = min(hits, count)
        if len(text) + hits * max(len(new) - len(old), 0) > MAX_ITEMS:
            raise _too_big("str.replace")
        return text.replace(old, new, count)

    def join(items: Iterable[Any]) -> str:
        items = list(items)
        size = sum(len(i) for i in items if isinstance(i, str)) + len(text) * max(len(items) - 1, 0)
        if size > MAX_ITEMS:
            raise _too_big("str.join")
        return text.join(items)

    if name in _PADDING:
        return padded
    guarded: dict[str, Callable[..., Any]] = {"expandtabs": expandtabs, "replace": replace, "join": join}
    return guarded.get(name, method)


GUARDED_STR_METHODS = _PADDING | {"expandtabs", "replace", "join"}


# --- the AST transform ------------------------------------------------------------------------

_BINOP_GUARDS = {ast.Add: "_add_", ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_",
                 ast.Mod: "_mod_"}


def _call(name: str, args: list[ast.expr], like: Any) -> ast.Call:
    node = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    copy_locations(node, like)
    return node


def _tick_statement(like: Any) -> ast.Expr:
    statement = ast.Expr(value=_call("_tick_", [], like))
    copy_locations(statement, like)
    return statement


class GuardingTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy plus budget ticks and guarded operators.

    The names it adds start with ``_`` and are added after RestrictedPython has checked the
    node, so scripts themselves still cannot name them.
    """

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = cast(ast.BinOp, super().visit_BinOp(node))
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None:
            return node
        return _call(guard, [node.left, node.right], node)

    def visit_While(self, node: ast.While) -> Any:
        node = cast(ast.While, super().visit_While(node))
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = cast(ast.FunctionDef, super().visit_FunctionDef(node))
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = cast(ast.Lambda, super().visit_Lambda(node))
        # ``_tick_()`` is None, so ``_tick_() or body`` is the body, evaluated after the tick.
        node.body = ast.BoolOp(op=ast.Or(), values=[_call("_tick_", [], node), node.body])
        copy_locations(node.body, node)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = cast(ast.FormattedValue, super().visit_FormattedValue(node))
        if node.format_spec is None:
            return node
        value = _call("_format_", [node.value, ast.Constant(node.conversion), node.format_spec], node)
        result = ast.FormattedValue(value=value, conversion=-1, format_spec=None)
        copy_locations(result, node)
        return result
