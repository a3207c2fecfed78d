"""Refusals of the documents package, answered by every edge the same way.

``DocumentError`` is bad input (422, Russian messages per field; ``_form`` for the whole
request); ``DocumentConflict`` a state that does not allow the action (409: not approved yet,
already sent, someone was faster); ``TemplateRefused`` (from ``template_checks``) a bad
template (422, the problems listed). Raised before anything is written.
"""

from __future__ import annotations


class DocumentError(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for ms in errors.values() for m in ms))

    @property
    def message(self) -> str:
        return str(self)


def form_error(message: str, field: str = "_form") -> DocumentError:
    return DocumentError({field: [message]})


class DocumentConflict(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotApproved(DocumentConflict):
    """«A document whose kind requires approval cannot be sent until it is approved»."""
