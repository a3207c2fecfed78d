"""The service-task operations BPMN calls by name: their typed signatures, checks and calls.

Operations are plain typed functions living in the domain packages and ``integrations/``;
each package declares them in its ``register`` (``Registry.operation("documents.generate",
func)``) and the app hands them to the engine (``EngineServices.operations``). A BPMN
service task names the operation in ``spiffworkflow:serviceTaskOperator`` and passes
parameters whose values are sandboxed expressions. Deploy checks the parameters against
the function's signature (``parameter_problem``); each call receives an
``OperationContext`` with the database session, the clock and the outbox, so an operation
can request outside side effects that are only delivered after the step commits.
"""

from __future__ import annotations

import ast
import inspect
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, get_type_hints

from sqlalchemy.orm import Session

from engine.errors import OperationError
from models.platform.clock import Clock
from models.platform.outbox import OutboxMessage

if TYPE_CHECKING:
    from engine.ports import Settings


@dataclass
class OperationContext:
    """What an operation may use besides its parameters."""

    session: Session
    clock: Clock
    instance_id: int | None = None
    settings: Settings | None = None

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
    """A registered function with what deploy and calls need to know about its parameters.

    ``params`` are the annotated types of the parameters after the context; ``required``
    those without a default; ``open`` says the function also takes ``**kwargs``.
    """

    name: str
    func: Callable[..., Any]
    params: dict[str, Any]
    description: str
    required: frozenset[str] = field(default_factory=frozenset)
    open: bool = False


def describe(name: str, func: Callable[..., Any]) -> Operation:
    """The typed signature of a registered operation function.

    The function's first parameter is the ``OperationContext``; the others are the
    operation's typed parameters, converted from the BPMN values before the call.
    """
    hints = get_type_hints(func)
    parameters = list(inspect.signature(func).parameters.values())[1:]
    named = [p for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return Operation(
        name, func, {p.name: hints.get(p.name, Any) for p in named}, (func.__doc__ or "").strip(),
        required=frozenset(p.name for p in named if p.default is p.empty),
        open=any(p.kind == p.VAR_KEYWORD for p in parameters),
    )


@lru_cache(maxsize=512)
def _described(name: str, func: Callable[..., Any]) -> Operation:
    return describe(name, func)


def get_operation(operations: Mapping[str, Callable[..., Any]], name: str) -> Operation | None:
    """The operation declared under ``name`` (``Registry.operation``), or None."""
    func = operations.get(name)
    return _described(name, func) if func is not None else None


def _convert(value: Any, kind: Any, name: str) -> Any:
    """``value`` as the annotated ``kind`` (``Decimal``, dates from ISO text, plain types); else unchanged."""
    if value is None or kind is Any or isinstance(kind, str):
        return value
    if get_origin(kind) in (Union, types.UnionType):  # ``int | None``: the first member it becomes
        members = [arg for arg in get_args(kind) if arg is not type(None)]
        if any(isinstance(member, type) and isinstance(value, member) for member in members):
            return value
        for member in members[:-1]:
            try:
                return _convert(value, member, name)
            except OperationError:
                continue
        return _convert(value, members[-1], name) if members else value
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


def call(operations: Mapping[str, Callable[..., Any]], name: str, context: OperationContext,
         params: dict[str, Any]) -> Any:
    """Call operation ``name`` with converted parameters; unknown parameters are refused."""
    op = get_operation(operations, name)
    if op is None:
        raise OperationError(f"Операция «{name}» не зарегистрирована")
    unknown = set() if op.open else set(params) - set(op.params)
    if unknown:
        raise OperationError(f"Операция «{name}»: неизвестные параметры {sorted(unknown)}")
    converted = {k: _convert(v, op.params.get(k, Any), k) for k, v in params.items()}
    try:
        return op.func(context, **converted)
    except OperationError:
        raise
    except TypeError as exc:
        raise OperationError(f"Операция «{name}»: {exc}") from exc


# The spiff ``type`` attribute of a parameter → the Python types a value so declared can be.
_DECLARED: dict[str, tuple[type, ...]] = {
    "str": (str,), "string": (str,),
    "int": (int,), "integer": (int,),
    "float": (float,), "number": (float, Decimal),
    "decimal": (Decimal, float),
    "bool": (bool,), "boolean": (bool,),
    "date": (date,), "datetime": (datetime,),
    "dict": (dict,), "object": (dict,),
    "list": (list,), "array": (list,),
}


# What ``_convert`` makes of a value of each type at run time: text becomes any scalar (a
# diagram's «str» parameter may feed a Decimal or a date), numbers become numbers or text;
# containers stay what they are. A declared type contradicts an annotation only when no
# value of it could be converted.
_CONVERTS_TO: dict[type, frozenset[type]] = {
    str: frozenset({str, int, float, bool, Decimal, date, datetime}),
    int: frozenset({int, float, bool, str, Decimal}),
    float: frozenset({float, str, Decimal}),
    Decimal: frozenset({Decimal, float, str}),
    bool: frozenset({bool, int, str}),
    date: frozenset({date, str}),
    datetime: frozenset({datetime, date, str}),
    dict: frozenset({dict}),
    list: frozenset({list}),
}


def _declared_fits(declared: tuple[type, ...], accepted: tuple[type, ...]) -> bool:
    """Whether a value of a declared type can reach the operation as one of ``accepted``."""
    return any(a in _CONVERTS_TO.get(d, frozenset()) or issubclass(d, a) for d in declared for a in accepted)


def _accepted(kind: Any) -> tuple[type, ...] | None:
    """The classes an annotation accepts (``int | None`` → int); None when it accepts anything."""
    if kind is Any or isinstance(kind, str):
        return None
    if get_origin(kind) in (Union, types.UnionType):
        members: list[type] = []
        for arg in get_args(kind):
            if arg is type(None):
                continue
            accepted = _accepted(arg)
            if accepted is None:
                return None
            members.extend(accepted)
        return tuple(members) or None
    origin = get_origin(kind)
    if isinstance(origin, type):
        return (origin,)
    return (kind,) if isinstance(kind, type) else None


def _type_names(kinds: tuple[type, ...]) -> str:
    return " или ".join(k.__name__ for k in kinds)


def _literal(expression: str) -> tuple[bool, Any]:
    """(True, value) when ``expression`` is a plain literal such as ``'PT4H'`` or ``1500``."""
    try:
        return True, ast.literal_eval(expression.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _converts(value: Any, kinds: tuple[type, ...], name: str) -> bool:
    """Whether a call would turn ``value`` into one of ``kinds`` (``_convert``, as at run time)."""
    for kind in kinds:
        try:
            converted = _convert(value, kind, name)
        except (OperationError, TypeError):
            continue
        if isinstance(converted, kind):
            return True
    return False


def parameter_problems(op: Operation, params: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(parameter, why)`` for each BPMN parameter the operation would refuse; checked at deploy.

    ``params`` is the service task's ``{name: {"value": expression, "type": declared}}``.
    Refused: a required parameter (no default) that is not given, a parameter the
    function does not take, a literal value that cannot become the annotated type, and a
    declared ``type`` that contradicts the annotation.
    """
    problems: list[tuple[str, str]] = []
    for name in sorted(op.required - set(params)):
        problems.append((name, f"не задан обязательный параметр «{name}»"))
    for name in sorted(params):
        if name not in op.params:
            if not op.open:
                known = ", ".join(op.params) or "нет"
                problems.append((name, f"неизвестный параметр «{name}» (параметры операции: {known})"))
            continue
        accepted = _accepted(op.params[name])
        if accepted is None:
            continue
        declared = str(params[name].get("type") or "").strip().lower()
        declared_kinds = _DECLARED.get(declared)
        if declared_kinds and not _declared_fits(declared_kinds, accepted):
            problems.append((name, f"параметр «{name}» объявлен с типом «{declared}», "
                                   f"а операция ждёт {_type_names(accepted)}"))
            continue
        is_literal, value = _literal(str(params[name].get("value") or ""))
        if is_literal and value is not None and not _converts(value, accepted, name):
            problems.append((name, f"параметр «{name}»: значение {value!r} не приводится "
                                   f"к типу {_type_names(accepted)}"))
    return problems
