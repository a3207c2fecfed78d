"""Every view runs in one unit of work: committed when it answers below 400, rolled back otherwise.

``init_app`` wraps every registered view (pages, the API, the intake) after all blueprints
are in, so no view commits or rolls back by hand: a service that raises, or a view that
answers with an error page (422 with the form again, 409, 403), leaves nothing written.
Work that must be kept even though the answer is an error (a failed login counts towards
the throttle) opens a ``unit_of_work`` of its own before answering.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app
from flask.typing import ResponseReturnValue

from models.platform.db import db
from models.platform.unit_of_work import unit_of_work

View = Callable[..., ResponseReturnValue]
UNTOUCHED = frozenset({"static"})  # static files touch no data


def transactional(view: View) -> View:
    """``view`` inside a unit of work that keeps its changes only for a successful answer."""

    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        with unit_of_work(db.session) as work:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                work.discard()
        return response

    return run


def init_app(app: Flask) -> None:
    for endpoint, view in list(app.view_functions.items()):
        if endpoint not in UNTOUCHED and not endpoint.endswith(".static"):
            app.view_functions[endpoint] = transactional(view)
