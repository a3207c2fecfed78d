"""Employees: users, departments, absences and deputies, API tokens, login throttling."""

from __future__ import annotations

from models.identity.demo import ensure_demo_users
from models.platform.registry import DemoContext, Registry


def _seed_users(context: DemoContext) -> dict[str, int]:
    return {"users": ensure_demo_users(context.session)}


def register(registry: Registry) -> None:
    registry.demo_seed("users", _seed_users)
