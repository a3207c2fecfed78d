"""The registry of service-task operations, called by name from BPMN.

Operations are plain typed functions living in the domain packages and ``integrations/``;
each package declares them in its ``register`` (``Registry.operation("documents.generate",
func)``). A BPMN service task names the operation in ``spiffworkflow:serviceTaskOperator``
and passes parameters whose values are sandboxed expressions. Each call receives an
``OperationContext`` with the database session, the clock and the outbox, so an operation
can request outside side effects that are only delivered after the step commits.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, get_type_hints

from sqlalchemy.orm import Session

from engine.errors import OperationError
from models.platform.outbox import OutboxMessage
from models.platform.registry import installed


@dataclass
class OperationContext:
    """What an operation may use besides its parameters."""

    session: Session
    clock: Any
    instance_id: int | None = None
    settings: Any = None

    def send_later(self, kind: str, payload: dict, dedupe_key: str | None = None) -> OutboxMessage:
        """Queue an outside side effect; it is delivered only after this step commits.

        Not for e-mail: letters and notifications are queued by ``models.notifications.service``.
        """
        if kind == "email":
            raise OperationError("E-mail ставится в очередь через сервис уведомлений (send_email / notify)")
        row = OutboxMessage(kind=kind, payload=payload, dedupe_key=dedupe_key,
                            next_attempt_at=self.clock.now(), instance_id=self.instance_id)
        self.session.add(row)
        return row


@dataclass(frozen=True)
class Operation:
    name: str
    func: Callable[..., Any]
    params: dict[str, type]
    description: str


def describe(name: str, func: Callable[..., Any]) -> Operation:
    """The typed signature of a registered operation function.

    The function's first parameter is the ``OperationContext``; the others are the
    operation's typed parameters, converted from the BPMN values before the call.
    """
    hints = get_type_hints(func)
    names = list(inspect.signature(func).parameters)[1:]
    params = {n: hints.get(n, Any) for n in names}
    return Operation(name, func, params, (func.__doc__ or "").strip())


@lru_cache(maxsize=512)
def _described(name: str, func: Callable[..., Any]) -> Operation:
    return describe(name, func)


def get_operation(name: str) -> Operation | None:
    """The operation packages declared under ``name`` (``Registry.operation``), or None."""
    func = installed().operations.get(name)
    return _described(name, func) if func is not None else None


def operation_names() -> list[str]:
    return sorted(installed().operations)


def _convert(value: Any, kind: Any, name: str) -> Any:
    if value is None or kind is Any or isinstance(kind, str):
        return value
    try:
        if kind is Decimal:
            return Decimal(str(value))
        if kind is date and isinstance(value, str):
            return date.fromisoformat(value)
        if kind is datetime and isinstance(value, str):
            return datetime.fromisoformat(value)
        if kind in (int, float, str, bool) and not isinstance(value, kind):
            return kind(value)
    except (ValueError, ArithmeticError) as exc:
        raise OperationError(f"Параметр «{name}»: неверное значение {value!r} ({exc})") from None
    return value


def call(name: str, context: OperationContext, params: dict[str, Any]) -> Any:
    """Call operation ``name`` with converted parameters; unknown parameters are refused."""
    op = get_operation(name)
    if op is None:
        raise OperationError(f"Операция «{name}» не зарегистрирована")
    unknown = set(params) - set(op.params)
    if unknown:
        raise OperationError(f"Операция «{name}»: неизвестные параметры {sorted(unknown)}")
    converted = {k: _convert(v, op.params[k], k) for k, v in params.items()}
    try:
        return op.func(context, **converted)
    except OperationError:
        raise
    except TypeError as exc:
        raise OperationError(f"Операция «{name}»: {exc}") from exc
