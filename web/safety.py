"""Answers for hostile input that would otherwise reach the database or the headers (issue 14).

- ``<int:…>`` in every route takes ASCII digits up to the largest id (``models.platform.ids``):
  «²» or 2³¹ in a path is a 404, not a failed query (installed before any blueprint).
- Every answer carries a Content-Security-Policy: scripts only from our own files.
- An id past the database's integer that still reaches a query (a JSON body's number) is a
  400 with a Russian message instead of a 500: ``OverflowError`` (SQLite) and ``DataError``
  (PostgreSQL) from a statement are answered so.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from models.platform.ids import MAX_ID, OUT_OF_RANGE_ERRORS


class IdConverter(IntegerConverter):
    """``<int:…>`` bounded to the database's ids, ASCII digits only."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install_converters(app: Flask) -> None:
    """Call before any blueprint is registered (rules are compiled with the converter of the time)."""
    app.url_map.converters["int"] = IdConverter


# No inline scripts anywhere (the templates load our files only), so scripts need no nonces;
# inline styles stay allowed (Bootstrap's and bpmn-js's style attributes).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'", "object-src 'none'",
    "base-uri 'self'", "frame-ancestors 'self'", "form-action 'self'",
])


def _content_security_policy(response: Any) -> Any:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


def init_app(app: Flask) -> None:
    from web.errors import error_response

    app.after_request(_content_security_policy)

    def _number_out_of_range(exc: Exception):
        return error_response(400, "Число вне допустимого диапазона (номер записи слишком большой)",
                              "out_of_range")

    for error in OUT_OF_RANGE_ERRORS:
        app.register_error_handler(error, _number_out_of_range)
