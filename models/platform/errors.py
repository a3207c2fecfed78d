"""Domain errors every package may raise and every edge (pages, API, CLI) knows how to answer.

``AccessDenied`` (403) lives beside the permission rules in ``models.platform.permissions``;
``NotFound`` is here: a service that loads a record by id raises it, so the web layer maps it
to 404 once instead of each view checking for ``None``.
"""

from __future__ import annotations


class NotFound(LookupError):
    """The record asked for does not exist; ``message`` says which, in Russian, for a 404 answer."""

    def __init__(self, message: str = "Запись не найдена") -> None:
        super().__init__(message)
        self.message = message
