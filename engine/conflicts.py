"""A lost optimistic-locking race, told to the user as a conflict rather than a server error.

Every engine call that changes an instance is wrapped in ``step``: whichever flush (also an
autoflush) finds the instance's version moved on raises ``StaleDataError``, which becomes
``ConflictError`` with a Russian message the pages and the API answer with 409.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm.exc import StaleDataError

from engine.errors import ConflictError

CONFLICT_MESSAGE = "Процесс только что изменил другой пользователь или планировщик; обновите страницу"
F = TypeVar("F", bound=Callable[..., Any])


def step(func: F) -> F:
    """Turn a lost optimistic-locking race (at any flush, also autoflush) into ``ConflictError``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StaleDataError:
            raise ConflictError(CONFLICT_MESSAGE) from None

    return wrapper  # type: ignore[return-value]
