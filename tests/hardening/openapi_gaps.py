"""Fill the gaps of our OpenAPI for the fuzzer: inputs the views read but the schema does not declare.

Most API views read ``request.args`` and the JSON body by hand instead of declaring them with
flask-smorest, so the published schema names no query parameter or body for them (47 of 59
operations when this was written) and schemathesis would only vary their path. Until the schema
declares them, the fuzz run reads the names the view's module asks for (``args.get("x")``,
``payload["x"]``, ``_arg_int("x")``) and adds them to the loaded schema as optional inputs: query
parameters of a read, properties of a JSON object body of a write (an undeclared body becomes «any
object»). Names read deeper, in the services, stay unknown to the generator.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from flask import Flask

_RULE_PARAM = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
_READ = re.compile(
    r"""(?:args|payload|body|data|form|_arg\w*)(?:\.get|\.getlist)?(?:\(|\[)\s*["']([A-Za-z_]\w*)["']""")
_WRITES = ("post", "put", "patch")
_ANY = {}  # an untyped schema: the generator sends strings, numbers, objects, nulls alike


def _view_names(app: Flask) -> dict[tuple[str, str], set[str]]:
    """``(method, openapi path)`` → the input names the view's module reads (its helpers parse
    some inputs for several views, so the whole module is read; a name a view ignores is harmless)."""
    found: dict[tuple[str, str], set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions.get(rule.endpoint)
        try:
            source = inspect.getsource(inspect.getmodule(inspect.unwrap(view)))
        except (OSError, TypeError):
            continue
        names = set(_READ.findall(source))
        path = _RULE_PARAM.sub(r"{\1}", rule.rule)
        for method in rule.methods or ():
            found[(method.lower(), path)] = names
    return found


def fill_gaps(app: Flask, schema: dict[str, Any]) -> int:
    """Add the undeclared inputs to ``schema`` (the raw OpenAPI dict) in place; how many were added."""
    names = _view_names(app)
    added = 0
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or method not in ("get", "delete", *_WRITES):
                continue
            declared = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
            wanted = sorted(names.get((method, path), set()) - declared)
            if method in _WRITES and "requestBody" not in operation:
                operation["requestBody"] = {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {name: _ANY for name in wanted}}}}}
                added += len(wanted) or 1
            elif method not in _WRITES and wanted:
                operation.setdefault("parameters", []).extend(
                    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                    for name in wanted)
                added += len(wanted)
    return added
