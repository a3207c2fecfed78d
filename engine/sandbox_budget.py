"""The time and memory budget of one script or expression run (and the data it may leave).

A process per script call would cost more than the engine step it belongs to, so the
budget lives inside the interpreter: the sandbox's AST transform (``engine.sandbox_guards``)
puts a ``tick`` at the top of every ``while`` body, function and lambda, and every
``for``/comprehension iterates through ``Budget.iterate``; a tick compares the monotonic
clock with the deadline and, every few milliseconds, the process's resident memory with
the memory at the start of the run. C-level work that a tick cannot interrupt (huge powers,
repetitions, ranges, factorials, string padding) is refused before it starts by the guarded
operators and helpers. Once over budget, every later tick fails again, so a script that
catches the error (``except:``) cannot go on looping.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from engine.errors import ScriptError

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_MEMORY_CHECK_EVERY = 0.005  # seconds between resident-memory readings inside one run


@dataclass(frozen=True)
class Limits:
    """Budget of one run; the engine builds it from the settings (``CRM_SCRIPT_*``)."""

    seconds: float = 2.0
    memory_bytes: int = 256 * 1024 * 1024
    data_bytes: int = 2 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        """Limits named by ``settings`` (any object; missing attributes keep the defaults)."""
        default = cls()
        return cls(
            seconds=float(getattr(settings, "script_time_budget", default.seconds)),
            memory_bytes=int(getattr(settings, "script_memory_mb", default.memory_bytes >> 20)) << 20,
            data_bytes=int(getattr(settings, "process_data_kb", default.data_bytes >> 10)) << 10,
        )


DEFAULT_LIMITS = Limits()


class BudgetExceeded(ScriptError):
    """A script or expression ran out of its time, memory or data budget."""


def resident_bytes() -> int:
    """Resident memory of this process (Linux ``/proc``; 0 where unknown)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


class Budget:
    """The running budget of one call of ``run_script``/``evaluate``."""

    __slots__ = ("deadline", "failure", "limits", "memory_start", "next_memory_check")

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        now = time.monotonic()
        self.deadline = now + limits.seconds
        # Resident memory is first read at the first tick a few milliseconds in (reading it costs a
        # system call, and most expressions finish long before): that reading is the baseline.
        self.next_memory_check = now + _MEMORY_CHECK_EVERY
        self.memory_start = 0
        self.failure: str | None = None

    def tick(self) -> None:
        """Fail once the run is over its deadline or its memory; cheap enough for every loop turn."""
        if self.failure is not None:
            raise BudgetExceeded(self.failure)
        now = time.monotonic()
        if now >= self.next_memory_check or now > self.deadline:
            self.next_memory_check = now + _MEMORY_CHECK_EVERY
            self.check_memory()
        if now > self.deadline:
            self.fail(f"Скрипт превысил бюджет времени ({self.limits.seconds:g} с) и остановлен: "
                      "вероятно, бесконечный или слишком долгий цикл")

    def check_memory(self) -> None:
        if not self.memory_start:
            self.memory_start = resident_bytes()
            return
        used = resident_bytes() - self.memory_start
        if used > self.limits.memory_bytes:
            self.fail(f"Скрипт превысил бюджет памяти ({self.limits.memory_bytes >> 20} МБ) и остановлен")

    def fail(self, message: str) -> None:
        self.failure = message
        raise BudgetExceeded(message)

    def after_run(self) -> None:
        """Called after the code returned: a swallowed budget error still fails the run."""
        if self.failure is not None:
            raise BudgetExceeded(self.failure)

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """``_getiter_``: every turn of a ``for`` loop or comprehension ticks the budget."""
        tick = self.tick
        for item in iterable:
            tick()
            yield item

    def check_data(self, values: dict[str, Any]) -> None:
        """Refuse task data larger than the per-instance data limit (as JSON text)."""
        limit = self.limits.data_bytes
        size = data_size(values, limit)
        if size > limit:
            self.fail(f"Данные процесса после скрипта больше допустимого ({size >> 10} КБ при пределе "
                      f"{limit >> 10} КБ): храните большие данные в документах, а не в переменных процесса")


_SCALARS = frozenset({int, float, bool, type(None)})


def _flat_size(values: dict[str, Any], stack: list[Any]) -> int:
    """Size of the scalars of a flat dict; containers are left on ``stack`` for ``data_size``."""
    total = 0
    for key, item in values.items():
        kind = type(item)
        if kind is str:
            total += len(item) + len(key) + 6
        elif kind in _SCALARS:
            total += len(key) + 24 if kind is not int or item.bit_length() < 64 else item.bit_length() // 3
        else:
            total += len(key) + 4
            stack.append(item)
    return total


def _item_size(item: Any, stack: list[Any]) -> int:
    if isinstance(item, str):
        return len(item) + 2
    if isinstance(item, dict):
        stack.extend(item.keys())
        stack.extend(item.values())
        return 2 + 2 * len(item)
    if isinstance(item, list | tuple | set | frozenset):
        stack.extend(item)
        return 2 + len(item)
    if isinstance(item, bool) or item is None:
        return 5
    if isinstance(item, int):
        return item.bit_length() // 3 + 1
    if isinstance(item, float):
        return 24
    return len(json.dumps(str(item)))


def data_size(value: Any, limit: int) -> int:
    """Approximate size of ``value`` as JSON, counting only up to a little past ``limit``.

    Flat data (the usual case) is summed in one pass; nested containers go through a stack.
    """
    stack: list[Any] = []
    total = _flat_size(value, stack) if type(value) is dict else _item_size(value, stack)
    while stack and total <= limit:
        total += _item_size(stack.pop(), stack)
    return total
