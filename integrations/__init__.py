"""Clients of the outside world and the service-task operations built on them.

``load_operations()`` imports every module that registers operations and outbox
handlers; the app factory calls it once so deploy checks and the engine see them all.
"""

from __future__ import annotations


def load_operations() -> None:
    from integrations import (  # noqa: F401  (registration side effects)
        client_operations,
        lead_operations,
        mail,
        system_operations,
    )
