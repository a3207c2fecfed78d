"""Answers to the documents' refusals for pages and the API alike.

422 for bad input and bad templates (the problems listed), 409 for a state that does not
allow the action (``NotApproved``: «cannot send until approved», already sent, someone was
faster), 503 when the PDF cannot be made (LibreOffice missing). A page gets the page the form
came from again — the document card, the deal card, the templates page — with the message
and that status; the API a JSON error body. The unit of work has kept nothing by then.
"""

from __future__ import annotations

from flask import Flask, flash, request

from models.documents.errors import DocumentConflict, DocumentError, NotApproved
from models.documents.pdf import PdfUnavailable
from models.documents.template_checks import TemplateRefused
from models.platform.errors import NotFound
from models.platform.permissions import AccessDenied
from web.errors import error_response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(status: int, message: str, code: str, **extra):
    if _wants_json() or request.method == "GET":
        return error_response(status, message, code, **extra)
    flash(message, "danger" if status == 422 else "warning")
    try:
        return _form_page(status, message, code, **extra)
    except (NotFound, AccessDenied):  # the record the form came from is gone or out of reach
        return error_response(status, message, code, **extra)


def _form_page(status: int, message: str, code: str, **extra):
    """The page the refused form came from, again, answered as ``status``."""
    args = request.view_args or {}
    endpoint = request.endpoint or ""
    if "task_id" in args and "document_id" in args:
        from web.documents.views import render_signoff

        return render_signoff(args["document_id"], args["task_id"], status)
    if "document_id" in args:
        from web.documents.views import render_document

        return render_document(args["document_id"], status)
    if "client_id" in args:
        from web.clients.card import show as client_card

        return client_card(args["client_id"]), status
    if "deal_id" in args:
        from web.deals.views import render_card

        return render_card(args["deal_id"], {}, status)
    if endpoint.startswith("documents.template"):
        from web.documents.template_views import render_templates

        return render_templates(status)
    return error_response(status, message, code, **extra)


def init_app(app: Flask) -> None:
    @app.errorhandler(DocumentError)
    def _invalid(exc: DocumentError):
        return _answer(422, exc.message, "validation", fields=exc.errors)

    @app.errorhandler(TemplateRefused)
    def _template(exc: TemplateRefused):
        return _answer(
            422, "Шаблон не принят: " + "; ".join(exc.problems), "template_refused", problems=exc.problems
        )

    @app.errorhandler(DocumentConflict)
    def _conflict(exc: DocumentConflict):
        return _answer(409, exc.message, "not_approved" if isinstance(exc, NotApproved) else "conflict")

    @app.errorhandler(PdfUnavailable)
    def _no_pdf(exc: PdfUnavailable):
        return error_response(503, exc.message, "pdf_unavailable")
