"""Errors the engine raises; the web layer maps them to HTTP statuses (409, 422, 404)."""

from __future__ import annotations


class EngineError(Exception):
    """Base of engine errors; ``message`` is Russian and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DeployError(EngineError):
    """A file could not be deployed: names the file, the element and the reason.

    ``parameter`` names the service-task parameter at fault, when there is one.
    """

    def __init__(self, file: str, element: str | None, reason: str, *, parameter: str | None = None) -> None:
        where = f"{file}" + (f", элемент «{element}»" if element else "")
        super().__init__(f"{where}: {reason}")
        self.file = file
        self.element = element
        self.reason = reason
        self.parameter = parameter


class NotFound(EngineError):
    pass


class NotDeployed(NotFound):
    """A start of a process that has no deployed version (``key`` names it)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Процесс «{key}» не развёрнут")
        self.key = key


class ConflictError(EngineError):
    """Someone else changed the instance or completed the task first (HTTP 409)."""


class FormValidationError(EngineError):
    """Submitted form data does not match the task's JSON Schema (HTTP 422)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Форма заполнена с ошибками")
        self.errors = errors


class ScriptError(EngineError):
    """A BPMN script or expression broke the sandbox rules or failed."""


class OperationError(EngineError):
    """A service-task operation failed; ``transient`` failures are retried with back-off."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class BpmnErrorRaised(EngineError):
    """A business failure an operation reports as a BPMN error with ``code``.

    The engine throws it from the failing service task as an error event, so an error
    boundary event (or error event subprocess) with that code — or with no code — takes
    the process on. If nothing catches it, it becomes an incident like any failure.
    ``payload`` lands in the catching event's ``variableName``.
    """

    def __init__(self, code: str, message: str = "", payload: dict | None = None) -> None:
        super().__init__(message or f"BPMN-ошибка {code}")
        self.code = code
        self.payload = {"code": code, "message": self.message, **(payload or {})}
