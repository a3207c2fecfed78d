"""placeholder"""

from __future__ import annotations

from models.platform.registry import Registry


def register(registry: Registry) -> None:
    pass
