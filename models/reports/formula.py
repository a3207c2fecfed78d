"""A safe expression for the bonus formula: arithmetic, comparisons, ``x if c else y``, min/max/round.

Parsed with ``ast`` and walked node by node against a whitelist, so a formula can read the
KPI figures by name and nothing else: no attribute access, calls other than the three
helpers, comprehensions or lambdas; numbers are ``Decimal``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "round": lambda x, n=0: round(Decimal(x), int(n)),
}
_BIN = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b if b else Decimal(0),
}
_CMP = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}
MAX_LENGTH = 500


class FormulaError(ValueError):
    """The formula is not allowed or does not compute (Russian message)."""


def parse_formula(text: str, names: frozenset[str]) -> ast.Expression:
    """Check ``text`` once (on saving) so a bad formula is refused before any month uses it."""
    if not text.strip() or len(text) > MAX_LENGTH:
        raise FormulaError(f"Формула пустая или длиннее {MAX_LENGTH} знаков")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise FormulaError("Формула не разбирается: проверьте скобки и знаки") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in names and node.id not in FUNCTIONS:
            raise FormulaError(f"Неизвестное имя «{node.id}»; доступны: {', '.join(sorted(names))}")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS):
            raise FormulaError("Из функций доступны только min, max и round")
        allowed = (
            ast.Expression,
            ast.BinOp,
            ast.UnaryOp,
            ast.USub,
            ast.UAdd,
            ast.Compare,
            ast.IfExp,
            ast.BoolOp,
            ast.And,
            ast.Or,
            ast.Call,
            ast.Name,
            ast.Load,
            ast.Constant,
            *_BIN,
            *_CMP,
        )
        if not isinstance(node, allowed) or (
            isinstance(node, ast.Constant) and not isinstance(node.value, int | float)
        ):
            raise FormulaError(f"В формуле недопустимо: {type(node).__name__}")
    return tree


def _compare(walk: Callable[[ast.AST], Any], node: ast.Compare) -> bool:
    left = walk(node.left)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = walk(right_node)
        if not _CMP[type(op)](left, right):
            return False
        left = right
    return True


def evaluate(tree: ast.Expression, values: dict[str, Decimal]) -> Decimal:
    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.BinOp):
            return _BIN[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand) if isinstance(node.op, ast.USub) else walk(node.operand)
        if isinstance(node, ast.Compare):
            return _compare(walk, node)
        if isinstance(node, ast.BoolOp):
            results = [walk(v) for v in node.values]
            return all(results) if isinstance(node.op, ast.And) else any(results)
        if isinstance(node, ast.IfExp):
            return walk(node.body) if walk(node.test) else walk(node.orelse)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        return FUNCTIONS[node.func.id](*(walk(a) for a in node.args))

    try:
        return Decimal(walk(tree)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, KeyError) as exc:
        raise FormulaError(f"Формула не вычисляется: {exc}") from None
