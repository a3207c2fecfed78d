"""Clients of the outside world and the service-task operations built on them.

``load_operations()`` imports every module that registers operations and outbox
handlers; the app factory calls it once so deploy checks and the engine see them all.
"""

from __future__ import annotations

import importlib

# One module per line: each registers its operations and outbox handlers on import.
OPERATION_MODULES = (
    "integrations.client_operations",
    "integrations.lead_operations",
    "integrations.mail",
    "integrations.notifications",
    "integrations.registry_operations",
    "integrations.system_operations",
)


def load_operations() -> None:
    for name in OPERATION_MODULES:
        importlib.import_module(name)
