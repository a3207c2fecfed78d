"""A bundle's check, kept per process: the same bytes against the same operations check out alike.

Parsing is most of a deploy (schema validation, SpiffWorkflow's parser, the spec's JSON). The
studio checks a draft (``engine.checks``) and then deploys it, which parsed it twice; the test
suite deploys the shipped processes for hundreds of tests. Both now parse a bundle once per
process. Only what a deploy stores is kept (no live specs: whoever needs one calls
``parse_bundle``), each call gets its own copies of the dictionaries, and a bundle that fails is
parsed again every time, so its error is always the parser's own.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import replace
from typing import Any

from engine.bundle import Bundle
from engine.parsing import ParsedProcess, parse_bundle

KEPT = 16
_lock = threading.Lock()
_kept: OrderedDict[tuple, list[ParsedProcess]] = OrderedDict()


def _digest(bundle: Bundle) -> str:
    digest = hashlib.sha256()
    for part in (bundle.diagrams, bundle.forms):
        for name in sorted(part):
            digest.update(name.encode() + b"\0" + bytes(part[name]) + b"\0")
        digest.update(b"\1")
    return digest.hexdigest()


def checked_bundle(bundle: Bundle, operations: Mapping[str, Callable[..., Any]]) -> list[ParsedProcess]:
    """``parse_bundle``'s answer without the live specs (``spec`` None), or its ``DeployError``."""
    key = (_digest(bundle), tuple(sorted(operations.items())))  # the functions themselves
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is None:
        kept = [replace(p, spec=None, subprocess_specs={}) for p in parse_bundle(bundle, operations)]
        with _lock:
            _kept[key] = kept
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return [replace(p, meta=deepcopy(p.meta), forms=deepcopy(p.forms)) for p in kept]
