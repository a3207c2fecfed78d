"""Small built-in operations useful in any process (and in tests of the engine itself)."""

from __future__ import annotations

from decimal import Decimal

from engine.errors import OperationError
from engine.operations import OperationContext
from models.platform.registry import Registry


def calculate_premium(context: OperationContext, base: Decimal, rate: Decimal) -> dict:
    """Premium = base × rate, rounded to kopecks (a stand-in for the tariff service)."""
    if base < 0 or rate < 0:
        raise OperationError("База и тариф не могут быть отрицательными")
    return {"premium": str((base * rate).quantize(Decimal("0.01")))}


def echo(context: OperationContext, value: str) -> dict:
    """Returns its input; handy for checking a process's wiring."""
    return {"value": value}


def register(registry: Registry) -> None:
    """The service-task operations of this module."""
    registry.operation("crm.calculate_premium", calculate_premium)
    registry.operation("crm.echo", echo)
