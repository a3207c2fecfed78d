"""What the engine needs from the application, as small typed interfaces.

The engine sits below the domain packages: it may not import ``models.identity`` or
``web``, so what it needs from them is declared here and handed in once, by whoever
builds the engine (the app factory, a scheduler job, a test, later a simulation):

- ``Settings``: the few settings the engine itself reads (operations get the same object
  and may read more of it);
- ``Clock`` (``models.platform.clock``): the time every step runs at;
- ``Directory``: who users are — resolving an id or login, the deputy rule, names;
- the service-task operations, by name (``Registry.operations``).

``EngineServices`` bundles them; ``EngineServices.engine(session)`` gives the façade
(``engine.api.ProcessEngine``) on one session.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from models.platform.clock import Clock
from models.platform.registry import Registry, RegistryError

if TYPE_CHECKING:
    from engine.api import ProcessEngine

__all__ = ["DIRECTORY_SERVICE", "Clock", "Directory", "EngineServices", "Settings"]

# The name under which a package declares its ``Directory`` (``Registry.service``).
DIRECTORY_SERVICE = "engine.directory"


class Settings(Protocol):
    """The settings the engine reads itself.

    ``forms_dir`` is where forms of versions deployed before forms were stored with the
    version (migration 0006) are still read from.
    """

    @property
    def forms_dir(self) -> Path: ...


@runtime_checkable
class Directory(Protocol):
    """Who the users are, as far as process tasks need to know (implemented by ``models.identity``)."""

    def user_id(self, session: Session, ref: int | str) -> int | None:
        """The id of the user whose id or login is ``ref``; None when there is no such user."""
        ...

    def effective_assignee(self, session: Session, user_id: int, day: date) -> tuple[int | None, int | None]:
        """``(assignee_id, original_id)`` on ``day`` by the deputy rule (original only if different)."""
        ...

    def names(self, session: Session, user_ids: Collection[int]) -> dict[int, str]:
        """Display names of the given users (unknown ids are left out)."""
        ...


Operations = Mapping[str, Callable[..., Any]]


@dataclass(frozen=True)
class EngineServices:
    """Everything an engine gets besides its session; built once and shared by all engines.

    A simulation (``engine.simulation``) builds one with a ``ManualClock`` and operations
    replaced by their ``simulations``, and keeps its instances in memory.
    """

    clock: Clock
    settings: Settings
    directory: Directory
    operations: Operations = field(default_factory=dict)
    # What each operation answers in a simulation, without effects (``Registry.simulation``).
    simulations: Operations = field(default_factory=dict)

    @classmethod
    def from_registry(cls, registry: Registry, clock: Clock, settings: Settings) -> EngineServices:
        """The services the installed packages declared: their operations and the user directory."""
        directory = registry.services.get(DIRECTORY_SERVICE)
        if not isinstance(directory, Directory):
            raise RegistryError(f"Ни один пакет не объявил справочник пользователей «{DIRECTORY_SERVICE}»")
        return cls(clock=clock, settings=settings, directory=directory, operations=registry.operations,
                   simulations=registry.simulations)

    def engine(self, session: Session) -> ProcessEngine:
        """The engine façade on ``session`` (the caller owns the transaction)."""
        from engine.api import ProcessEngine

        return ProcessEngine(session, self)
