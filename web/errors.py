"""Russian error pages for people and JSON error bodies for the API.

Handlers only answer: the unit of work around every view (``web.transactions``) has
already rolled back whatever the failing view had written when they run.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import ConflictError, EngineError, FormValidationError, NotFound
from models.platform.errors import NotFound as RecordNotFound
from models.platform.permissions import AccessDenied

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Неверный запрос",
    401: "Требуется вход",
    403: "Доступ запрещён",
    404: "Страница не найдена",
    405: "Метод не поддерживается",
    409: "Конфликт: данные изменились, обновите страницу",
    413: "Файл слишком большой",
    422: "Данные не прошли проверку",
    429: "Слишком много запросов",
    500: "Внутренняя ошибка сервера",
}


def error_response(status: int, message: str | None = None, code: str | None = None, **extra):
    """A JSON body for API paths, a Russian page otherwise."""
    message = message or MESSAGES.get(status, "Ошибка")
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        body = {"error": {"code": code or str(status), "message": message, **extra}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(AccessDenied)
    def _access_denied(exc: AccessDenied):
        return error_response(403, exc.message, "forbidden")

    @app.errorhandler(RecordNotFound)
    def _record_not_found(exc: RecordNotFound):
        """A service found no record with the id asked for (``models.platform.errors.NotFound``)."""
        return error_response(404, exc.message, "not_found")

    @app.errorhandler(EngineError)
    def _engine(exc: EngineError):
        """Engine outcomes: conflict 409, missing 404, invalid form 422, other refusals 400."""
        if isinstance(exc, ConflictError):
            return error_response(409, exc.message, "conflict")
        if isinstance(exc, NotFound):
            return error_response(404, exc.message, "not_found")
        if isinstance(exc, FormValidationError):
            return error_response(422, exc.message, "validation", fields=exc.errors)
        return error_response(400, exc.message, "engine")

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return error_response(
            400,
            "Форма устарела или отправлена не со страницы CRM (нет CSRF-токена). "
            "Обновите страницу и повторите.",
            "csrf",
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        message = MESSAGES.get(status) if exc.description == type(exc).description else None
        extra = {}
        data = getattr(exc, "data", None) or {}
        if "messages" in data:  # marshmallow validation errors raised by flask-smorest
            extra["fields"] = data["messages"]
            message = message or MESSAGES[422]
        elif "message" in data:
            message = data["message"]
        return error_response(
            status, message or exc.description or MESSAGES.get(status), str(status), **extra
        )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, code="internal")
