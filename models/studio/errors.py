"""Refusals of the studio: a Russian message, and the problems on elements when there are any."""

from __future__ import annotations


class StudioError(Exception):
    """The request cannot be done as asked (answered with 422, or ``status``)."""

    def __init__(self, message: str, *, problems: list[dict] | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.status = status
