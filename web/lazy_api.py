"""The REST API's flask-smorest ``Api``, whose OpenAPI document is built when first read.

flask-smorest writes every endpoint into the OpenAPI document as its blueprint is registered
(deep copies of each endpoint's docs, marshmallow schemas turned into JSON Schema): 46 ms of
the 85 an application takes to build. Nobody reads the document until ``/api/v1/openapi.json``
(or ``flask openapi``) asks for it, and a gunicorn worker need not pay for it at start; the
test suite builds an application per test (about two thousand), where it was a sixth of the
suite's CPU. So the routes are registered at once, as before, and the document's parts are kept
as steps that the first read of ``spec`` runs, in order, before any thread sees the document. A
mistake in an endpoint's docs surfaces at that read instead of at start: ``tests/clients/test_api.py``
and the OpenAPI fuzz read it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask_smorest import Api

SpecStep = Callable[[Any], None]


class LazyDocApi(Api):
    """``Api`` with ``spec`` built on first read (thread-safe: gunicorn's threads may race to it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lock = threading.RLock()
        self._built: Any = None
        self._ready = True  # nothing waits to be built (no application yet)
        self._building = False
        self._spec_kwargs: dict = {}
        self._steps: list[SpecStep] = []
        super().__init__(*args, **kwargs)

    def _get_spec(self) -> Any:
        if self._ready:  # set only once the last step has run: no thread sees half a document
            return self._built
        with self._lock:
            if self._building:  # flask-smorest's own init reads the spec it is making
                return self._built
            if not self._ready:
                self._building = True
                try:
                    Api._init_spec(self, **self._spec_kwargs)
                    for step in self._steps:
                        step(self._built)
                    self._ready = True
                finally:
                    self._building = False
            return self._built

    def _set_spec(self, value: Any) -> None:
        self._built = value

    spec = property(_get_spec, _set_spec)

    def _init_spec(self, **kwargs: Any) -> None:
        """Called by ``init_app`` for each application: the previous one's document is forgotten."""
        with self._lock:
            self._built, self._ready, self._spec_kwargs, self._steps = None, False, kwargs, []

    def document(self, step: SpecStep) -> None:
        """Add ``step`` (given the spec) to what the first read of the document runs."""
        with self._lock:
            self._steps.append(step)
            self._ready = False  # if read already, the next read builds it again, this step too

    def register_blueprint(self, blp: Any, *, parameters: list | None = None, **options: Any) -> None:
        """Register the blueprint's routes now and its endpoints' docs with the document."""
        name = options.get("name", blp.name)
        app = self._app
        app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        app.register_blueprint(blp, **options)

        def describe(spec: Any) -> None:
            blp.register_views_in_doc(self, app, spec, name=name, parameters=parameters)
            spec.tag({"name": name, "description": blp.description})

        self.document(describe)
