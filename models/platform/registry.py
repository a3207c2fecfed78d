"""The one place where packages declare what they contribute to the running system.

Every domain package (and every integration) has a ``register(registry)`` function that
declares its service-task operations, outbox handlers, scheduler jobs, permission rules,
business-object labelers and references, demo seeds, and services (implementations of
interfaces a lower layer declares, such as the engine's user directory). The app factory — also used by
the worker and the CLI — lists the packages once (``web.packages.PACKAGES``), builds a
``Registry`` from them and installs it, so nothing is wired by the side effect of an import.

Rules and labelers are read by plain functions that get no app (``can_access``,
``labels``), so the built registry is installed process-wide; building it again from the
same packages gives the same registry, which keeps tests that build many apps honest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from models.platform.clock import Clock
    from models.platform.jobs import JobContext
    from models.platform.outbox import OutboxMessage
    from models.platform.settings import Settings

RecordRule = Callable[[Any, Any, str], bool]
ScopeRule = Callable[[Any, Select], Select]
OutboxHandler = Callable[["OutboxMessage", Any], Any]  # may return a dict kept as the row's result
Job = Callable[["JobContext"], object]
DemoSeed = Callable[["DemoContext"], dict[str, int]]


@dataclass(frozen=True)
class DemoContext:
    """What a demo seed may use: the session of the loading command, the clock, settings, an engine."""

    session: Session
    clock: Clock
    settings: Settings
    engine: Callable[[], Any]  # builds a process engine on ``session`` (demo processes)


# What a labeler's ``rows`` gets: the ids to name, as a list parameter of a kept statement
# (``bindparam(..., expanding=True)``) or as plain ids; ``Model.id.in_(ids)`` takes either.
LabelIds = Any


@dataclass(frozen=True)
class Labeler:
    """How objects of one business type are named in lists.

    ``rows`` selects ``(id, part, …)`` — up to three parts — of the objects whose id is in the
    given ids (a list parameter: the statement is built once and kept, ``models.platform.labels``);
    ``label`` makes the text from ``(id, *parts)``, each part as text (or None). A plain SELECT
    rather than a function that runs it: a list naming clients, leads and deals at once asks for
    all of them in one statement (``models.platform.labels``), not one per type.
    """

    rows: Callable[[LabelIds], Select]
    label: Callable[..., str]


class RegistryError(Exception):
    """Two packages declared the same name: a wiring mistake found at start-up, not at run time."""


@dataclass
class Registry:
    """Everything the packages declared, by kind."""

    operations: dict[str, Callable[..., Any]] = field(default_factory=dict)
    simulations: dict[str, Callable[..., Any]] = field(default_factory=dict)
    subscribers: dict[str, list[Callable[..., Any]]] = field(default_factory=dict)
    outbox_handlers: dict[str, OutboxHandler] = field(default_factory=dict)
    jobs: dict[str, Job] = field(default_factory=dict)
    record_rules: dict[type, RecordRule] = field(default_factory=dict)
    scope_rules: dict[type, ScopeRule] = field(default_factory=dict)
    labelers: dict[str, Labeler] = field(default_factory=dict)
    references: list[tuple[type, str, str]] = field(default_factory=list)
    demo_seeds: list[tuple[str, DemoSeed]] = field(default_factory=list)
    services: dict[str, object] = field(default_factory=dict)
    packages: list[str] = field(default_factory=list)

    @staticmethod
    def _put(table: dict, key: Any, value: Any, what: str) -> None:
        if key in table and table[key] is not value:
            raise RegistryError(f"{what} «{key}» объявлен дважды")
        table[key] = value

    def operation(self, name: str, func: Callable[..., Any]) -> None:
        """A service-task operation BPMN calls by ``name`` (``spiffworkflow:serviceTaskOperator``)."""
        self._put(self.operations, name, func, "Операция")

    def simulation(self, name: str, func: Callable[..., Any]) -> None:
        """What operation ``name`` answers in a simulation, with no effects.

        ``func`` takes what the operation takes (an ``OperationContext`` whose ``session`` is
        None, then the parameters) and touches nothing outside: simulations of a process run
        every service task on these instead of the real operations; one without a
        simulation answers ``{}``.
        """
        self._put(self.simulations, name, func, "Симуляция операции")

    def subscribe(self, event: str, handler: Callable[..., Any]) -> None:
        """Call ``handler(session, event)`` whenever a service publishes domain event ``event``."""
        handlers = self.subscribers.setdefault(event, [])
        if handler not in handlers:
            handlers.append(handler)

    def outbox_handler(self, kind: str, handler: OutboxHandler) -> None:
        """Delivers outbox rows of ``kind`` after the transaction that queued them commits."""
        self._put(self.outbox_handlers, kind, handler, "Обработчик исходящих")

    def job(self, name: str, func: Job) -> None:
        """A scheduler job run on every tick; it opens its own transactions through the job runner."""
        self._put(self.jobs, name, func, "Задание планировщика")

    def record_rule(self, model: type, rule: RecordRule) -> None:
        """Decides whether a user may ``view``/``edit``/… one record of ``model``."""
        self._put(self.record_rules, model, rule, "Правило доступа")

    def scope_rule(self, model: type, rule: ScopeRule) -> None:
        """Narrows a query of ``model`` to the rows a user may see."""
        self._put(self.scope_rules, model, rule, "Правило списка")

    def labeler(self, business_type: str, rows: Callable[[LabelIds], Select],
                label: Callable[..., str]) -> None:
        """Names objects of ``business_type`` (``client``, ``deal``, …) for lists (see ``Labeler``)."""
        labeler = Labeler(rows, label)
        if self.labelers.get(business_type) != labeler:  # declared again by the same package: kept
            self._put(self.labelers, business_type, labeler, "Подпись объекта")

    def reference(self, model: type, type_column: str, id_column: str) -> None:
        """A table that names business objects by (type, id); merging clients re-points it."""
        entry = (model, type_column, id_column)
        if entry not in self.references:
            self.references.append(entry)

    def service(self, name: str, implementation: object) -> None:
        """Implements an interface a lower layer declares but cannot import (``engine.directory``)."""
        self._put(self.services, name, implementation, "Служба")

    def demo_seed(self, name: str, seed: DemoSeed) -> None:
        """Demo data loaded by ``crm demo`` in package order (users before clients before deals)."""
        if any(existing == name for existing, _ in self.demo_seeds):
            raise RegistryError(f"Демо-данные «{name}» объявлены дважды")
        self.demo_seeds.append((name, seed))


def build_registry(packages: Iterable[ModuleType]) -> Registry:
    """Ask each package to declare what it contributes, in the order given."""
    registry = Registry()
    for package in packages:
        package.register(registry)
        registry.packages.append(package.__name__)
    return registry


_installed: Registry | None = None


def install(registry: Registry) -> None:
    """Make ``registry`` the one permission checks, labels and merges read."""
    global _installed
    _installed = registry


def installed() -> Registry:
    """The installed registry; building the app (or ``web.packages.registry()``) installs it."""
    if _installed is None:
        raise RegistryError("Реестр пакетов не собран: приложение создаётся через web.create_app")
    return _installed
