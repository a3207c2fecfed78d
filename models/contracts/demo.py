"""Demo contracts: filled in below (``seed_contracts``)."""

from __future__ import annotations

from models.platform.registry import DemoContext


def seed_contracts(context: DemoContext) -> dict[str, int]:
    return {}
