"""Employees: users, departments, absences and deputies, API tokens, login throttling."""

from __future__ import annotations

from engine.ports import DIRECTORY_SERVICE
from models.identity.demo import ensure_demo_users
from models.identity.directory import UserDirectory
from models.platform.registry import DemoContext, Registry


def _seed_users(context: DemoContext) -> dict[str, int]:
    return {"users": ensure_demo_users(context.session)}


def register(registry: Registry) -> None:
    registry.service(DIRECTORY_SERVICE, UserDirectory())
    registry.demo_seed("users", _seed_users)
